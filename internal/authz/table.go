package authz

import (
	"hash/maphash"
	"math/bits"
	"slices"
)

// table is a read-only hash table with linear probing in one flat slice,
// filled once when a snapshot is built. A Go map of more than eight entries
// costs a chain of dependent loads (header, directory, table, group) that
// are all cold when organizations are many; here a lookup touches the slot
// array and nothing else.
type table[K ~string, V any] struct {
	seed  maphash.Seed
	slots []slot[K, V]
}

type slot[K ~string, V any] struct {
	key K
	tag uint32 // high half of the key's hash, odd; 0 marks an empty slot
	val V
}

// newTable makes room for n entries at a load factor of at most 2/3.
func newTable[K ~string, V any](seed maphash.Seed, n int) table[K, V] {
	return table[K, V]{seed: seed, slots: make([]slot[K, V], n+n/2+1)}
}

// locate returns the first slot to probe for k and the tag to look for.
func (t *table[K, V]) locate(k K) (int, uint32) {
	h := maphash.String(t.seed, string(k))
	i, _ := bits.Mul64(h, uint64(len(t.slots))) // h mapped onto the slots without a division
	// #nosec G115 -- i, the high word of h*len(slots), is below len(slots); the tag keeps h's high half on purpose
	return int(i), uint32(h>>32) | 1
}

// add inserts k unless it is present, and reports whether it did.
func (t *table[K, V]) add(k K, v V) bool {
	i, tag := t.locate(k)
	for ; ; i = t.next(i) {
		s := &t.slots[i]
		if s.tag == 0 {
			*s = slot[K, V]{key: k, tag: tag, val: v}
			return true
		}
		if s.tag == tag && s.key == k {
			return false
		}
	}
}

// clone returns a copy whose slots can be changed without touching t's.
func (t *table[K, V]) clone() table[K, V] {
	return table[K, V]{seed: t.seed, slots: slices.Clone(t.slots)}
}

// get returns the value of k, or nil.
func (t *table[K, V]) get(k K) *V {
	if len(t.slots) == 0 {
		return nil
	}
	i, tag := t.locate(k)
	for ; ; i = t.next(i) {
		s := &t.slots[i]
		if s.tag == tag && s.key == k {
			return &s.val
		}
		if s.tag == 0 {
			return nil
		}
	}
}

func (t *table[K, V]) next(i int) int {
	if i++; i == len(t.slots) {
		return 0
	}
	return i
}
