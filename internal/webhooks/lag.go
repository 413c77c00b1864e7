package webhooks

import (
	"context"
	"fmt"
	"time"
)

// OutboxLag is the age of the oldest delivery not yet made (0 when none is
// pending): how far behind the partners' webhooks are. It reads the
// pending deliveries through their partial index, so its cost is that of
// the backlog, which is short when all is well.
func (s *Service) OutboxLag(ctx context.Context) (time.Duration, error) {
	var oldest []time.Time
	err := s.db.Read(ctx).Model(&deliveryRow{}).Where("status = ?", "pending").
		Order("created_at").Limit(1).Pluck("created_at", &oldest).Error
	if err != nil {
		return 0, fmt.Errorf("webhook outbox lag: %w", err)
	}
	if len(oldest) == 0 {
		return 0, nil
	}
	return max(s.now().Sub(oldest[0]), 0), nil
}
