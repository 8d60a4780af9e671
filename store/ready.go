package store

import (
	"context"
	"errors"
	"strings"
	"sync"

	"github.com/redis/go-redis/v9"
)

// ErrClusterDown is Ready's error when a Redis Cluster node reports the
// cluster down (cluster_state other than ok): its nodes still answer PING,
// but refuse commands with CLUSTERDOWN.
var ErrClusterDown = errors.New("store: the Redis Cluster is down")

// Ready reports whether Redis would answer hppbot's commands now. PING is
// not enough: on a Redis Cluster every node answers PING while the cluster
// is failed (cluster_state:fail) and every command is refused. So Ready
// reads one key of each partition — routed, on a Cluster, to the node that
// holds its slot — and, on a Cluster, asks each master for CLUSTER INFO.
func (s *Store) Ready(ctx context.Context) error {
	if cc, ok := s.rdb.(*redis.ClusterClient); ok {
		if err := clusterState(ctx, cc); err != nil {
			return err
		}
	}
	pipe := s.rdb.Pipeline()
	for pt := 0; pt < Partitions; pt++ {
		pipe.Exists(ctx, s.dueKey(pt))
	}
	cmds, err := pipe.Exec(ctx)
	if err != nil {
		if isClusterDown(err) {
			return errors.Join(ErrClusterDown, err)
		}
		return err
	}
	for _, c := range cmds {
		if err := c.Err(); err != nil {
			return err
		}
	}
	return nil
}

// clusterState asks every master the client knows for CLUSTER INFO; any
// that does not say cluster_state:ok makes the cluster not ready.
func clusterState(ctx context.Context, cc *redis.ClusterClient) error {
	var mu sync.Mutex
	var down bool
	err := cc.ForEachMaster(ctx, func(ctx context.Context, c *redis.Client) error {
		info, err := c.ClusterInfo(ctx).Result()
		if err != nil {
			return err
		}
		if !strings.Contains(info, "cluster_state:ok") {
			mu.Lock()
			down = true
			mu.Unlock()
		}
		return nil
	})
	switch {
	case down:
		return ErrClusterDown
	case err != nil && isClusterDown(err):
		return errors.Join(ErrClusterDown, err)
	}
	return err
}

func isClusterDown(err error) bool {
	return err != nil && strings.HasPrefix(err.Error(), "CLUSTERDOWN")
}
