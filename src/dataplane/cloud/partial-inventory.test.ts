// A partial CloudInventory is reported as unknown, never read as healthy.
import { describe, expect, it } from 'vitest';
import { ask, group, world } from '../../../test/support/cloud-fixtures.js';
import { diagnose } from '../../diagnose/diagnose.js';

const sshOnly = [{ protocol: 'tcp' as const, ports: '22', source: '0.0.0.0/0', action: 'allow' as const }];

describe('partial inventories', () => {
  it('without securityGroups, no security-group finding is made and the gap is listed', () => {
    const snapshot = world((w) => {
      if (w.cloud) delete w.cloud.securityGroups;
    });
    const r = diagnose(snapshot, ask('loadbalancer'));
    const ids = r.findings.map((f) => f.id);
    expect(ids).not.toContain('lb-sg-blocks-backend');
    expect(r.unknowns.some((u) => u.includes('no securityGroups'))).toBe(true);
  });

  it('the same bundle with the groups present and closed does report the block', () => {
    const snapshot = world((w) => {
      group(w, 'sg-nodes').inbound = sshOnly;
    });
    const r = diagnose(snapshot, ask('loadbalancer'));
    expect(r.findings.map((f) => f.id)).toContain('lb-sg-blocks-backend');
  });

  it('without loadBalancers, listeners and backends are listed as not checked', () => {
    const snapshot = world((w) => {
      if (w.cloud) delete w.cloud.loadBalancers;
    });
    const r = diagnose(snapshot, ask('loadbalancer'));
    expect(r.findings.filter((f) => f.id.startsWith('lb-'))).toEqual([]);
    expect(r.unknowns.some((u) => u.includes('no loadBalancers'))).toBe(true);
  });

  it('an LB missing from the inventory is named as not found, not as fine', () => {
    const snapshot = world((w) => {
      if (w.cloud) w.cloud.loadBalancers = [];
    });
    const r = diagnose(snapshot, ask('loadbalancer'));
    expect(r.unknowns.some((u) => u.includes('no load balancer in the CloudInventory for default/web'))).toBe(
      true,
    );
  });
});
