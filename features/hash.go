package features

// Feature hashing (Weinberger et al. 2009, "Feature Hashing for Large Scale Multitask
// Learning"): every n-gram is hashed straight into a fixed space, so no vocabulary is built or
// stored and the model's size is set by Bits alone. Conjoined (target-specific) copies of a
// feature are the "multitask" hashing of that paper, with the target as the task.

const (
	fnvOffset = 14695981039346656037
	fnvPrime  = 1099511628211
)

// Namespaces keep the blocks apart: the same string hashed in two blocks lands on two indices.
const (
	nsWord    uint64 = 0x9ae16a3b2f90404f
	nsChar    uint64 = 0x3c6ef372fe94f82b
	nsArticle uint64 = 0xa54ff53a5f1d36f1
	nsConjoin uint64 = 0x510e527fade682d1
)

// hashBytes is FNV-1a 64 (Fowler, Noll, Vo) over b, started from seed.
func hashBytes(seed uint64, b []byte) uint64 {
	h := seed ^ fnvOffset
	for _, c := range b {
		h ^= uint64(c)
		h *= fnvPrime
	}
	return h
}

// combine folds x into h, order-sensitively (word n-grams "a b" and "b a" differ).
func combine(h, x uint64) uint64 {
	return mix64(h*0x9e3779b97f4a7c15 + x)
}

// mix64 is the finaliser of SplitMix64 (Steele, Lea and Flood 2014), which spreads FNV's weak
// low bits before they are masked to an index.
func mix64(z uint64) uint64 {
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}
