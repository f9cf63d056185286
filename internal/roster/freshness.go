package roster

// freshIndex is implemented by an Index that can tell whether it may lag
// behind the database: on PostgreSQL, a node whose change feed has not
// confirmed within the last second that it is caught up may miss other
// nodes' changes (rule R7).
type freshIndex interface {
	// Fresh returns nil when the index may answer, or an error (code
	// unavailable: 503) when it may be stale.
	Fresh() error
}

// indexFresh refuses decisions from a stale index: the node answers 503
// rather than decide on data that another node has changed. An Index
// without Fresh (a single node) is always fresh.
func (s *Service) indexFresh() error {
	if f, ok := s.index.(freshIndex); ok {
		return f.Fresh()
	}
	return nil
}
