// Package evaluation measures models on labelled comments: it scores a labelled set with a
// trained model, or cross-validates training on it (plain, grouped by article or group column,
// nested with tuning, repeated over fold seeds), and turns the predictions into per-head
// reports, per-article figures and repeat statistics. It also holds the per-article tallies of
// scores that stance summarize prints (Summary), and their tallies per day, week or month
// (Trend, for summarize --by-time).
//
// Data enters as a Set (the comments, their training examples and label heads, as a reader of
// package data gives them) and a classifier.Model or classifier.Config; it leaves as a Result
// (per row the gold label, the predicted label, the class probabilities and, in
// cross-validation, the fold) and, from a Result, as []HeadReport. Nothing here prints: the
// command line and the HTML report render these values.
package evaluation
