import { checkTable } from '../../test/support/check-table.js';
import { ask, firstLb, ingress, type World, world } from '../../test/support/cloud-fixtures.js';
import check from './lb-certificate-expired.js';

const NOW = new Date('2026-11-22T10:00:00Z');

function https(w: World, certificate: { id?: string; notBefore?: string; notAfter?: string }) {
  firstLb(w).listeners.push({
    protocol: 'HTTPS',
    port: 443,
    certificate,
    backends: [{ target: 'node/node-1', address: '192.168.0.11', port: 30637, health: 'healthy' }],
  });
}
/** A cloud L7 Ingress (TKE/CCE style) whose own LB terminates TLS. */
function ingressLb(w: World, notAfter: string) {
  w.ingresses = [ingress('shop', (i) => (i.tls = [{ hosts: ['shop.example.com'], secretName: 'shop-tls' }]))];
  w.cloud?.loadBalancers?.push({
    id: 'clb-ing',
    addresses: ['203.0.113.20'],
    owner: 'ingress/default/shop',
    listeners: [{ protocol: 'HTTPS', port: 443, certificate: { id: 'cert-shop', notAfter } }],
  });
}

checkTable(check, {
  valid: [
    {
      name: 'the HTTPS certificate is valid at the failure time',
      snapshot: world((w) =>
        https(w, { id: 'cert-1', notBefore: '2026-01-01T00:00:00Z', notAfter: '2027-01-01T00:00:00Z' }),
      ),
      question: ask('loadbalancer'),
      now: NOW,
    },
    {
      name: 'a TCP listener carries no certificate',
      snapshot: world(),
      question: ask('loadbalancer'),
      now: NOW,
    },
    {
      name: 'the certificate expires one second after the failure',
      snapshot: world((w) => https(w, { notAfter: '2026-11-22T10:00:01Z' })),
      question: ask('loadbalancer'),
      now: NOW,
    },
    {
      name: 'dates not captured: unknown, not expired',
      snapshot: world((w) => https(w, { id: 'cert-1' })),
      question: ask('loadbalancer'),
      now: NOW,
    },
  ],
  invalid: [
    {
      name: 'the Service LB presents a certificate that expired before the failure',
      snapshot: world((w) => https(w, { id: 'cert-1', notAfter: '2026-11-01T00:00:00Z' })),
      question: ask('loadbalancer'),
      now: NOW,
      hits: [{ data: { lb: 'elb-1', listener: 'HTTPS/443', state: 'expired', certificate: 'cert-1' } }],
    },
    {
      name: 'a certificate not valid until next month',
      snapshot: world((w) =>
        https(w, { notBefore: '2026-12-01T00:00:00Z', notAfter: '2027-12-01T00:00:00Z' }),
      ),
      question: ask('loadbalancer'),
      now: NOW,
      hits: [{ data: { state: 'not-yet-valid', notBefore: '2026-12-01T00:00:00Z' } }],
    },
    {
      name: 'the Ingress LB routing to the Service has an expired certificate',
      snapshot: world((w) => ingressLb(w, '2026-06-30T00:00:00Z')),
      question: ask('ingress', 'internet', { host: 'shop.example.com', path: '/' }),
      now: NOW,
      hits: [{ data: { lb: 'clb-ing', via: 'ingress/shop', certificate: 'cert-shop' } }],
    },
    {
      name: 'expiry exactly at the failure time counts as expired',
      snapshot: world((w) => https(w, { notAfter: '2026-11-22T10:00:00Z' })),
      question: ask('loadbalancer'),
      now: NOW,
      hits: [{ data: { state: 'expired' } }],
    },
  ],
});
