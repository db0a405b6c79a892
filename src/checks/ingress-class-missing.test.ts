import { checkTable } from '../../test/support/check-table.js';
import { ask, ingress, ingressClass, world } from '../../test/support/cloud-fixtures.js';
import check from './ingress-class-missing.js';

const viaIngress = () => ask('ingress', 'internet', { host: 'shop.example.com', path: '/' });
const noClass = ingress('shop', (i) => delete i.ingressClassName);

checkTable(check, {
  valid: [
    {
      name: 'spec.ingressClassName names an existing class',
      snapshot: world((w) => (w.ingresses = [ingress('shop')])),
      question: viaIngress(),
    },
    {
      name: 'no class, and exactly one default class applies',
      snapshot: world((w) => {
        w.ingresses = [noClass];
        w.ingressClasses = [ingressClass('nginx', true), ingressClass('internal')];
      }),
      question: viaIngress(),
    },
    {
      name: 'a legacy annotation naming a class without an IngressClass object (controllers match the string)',
      snapshot: world((w) => {
        w.ingresses = [
          ingress('shop', (i) => {
            i.ingressClassName = 'qcloud';
            i.meta.annotations['kubernetes.io/ingress.class'] = 'qcloud';
          }),
        ];
      }),
      question: viaIngress(),
    },
    {
      name: 'GKE: spec.ingressClassName gce is served by the built-in controller without an IngressClass object',
      snapshot: world((w) => {
        w.ingressClasses = [];
        w.ingresses = [ingress('shop', (i) => (i.ingressClassName = 'gce-internal'))];
      }, 'gke'),
      question: viaIngress(),
    },
    {
      name: 'IngressClasses not collected: unknown, not missing',
      snapshot: world((w) => {
        w.ingresses = [ingress('shop', (i) => (i.ingressClassName = 'nginxx'))];
        w.extra = { collected: { IngressClass: false } };
      }),
      question: viaIngress(),
    },
  ],
  invalid: [
    {
      name: 'gce outside GKE is a class like any other: without its IngressClass it is missing',
      snapshot: world((w) => {
        w.ingressClasses = [];
        w.ingresses = [ingress('shop', (i) => (i.ingressClassName = 'gce'))];
      }, 'eks'),
      question: viaIngress(),
      hits: [{ data: { ingress: 'default/shop', problem: 'class-not-found', className: 'gce' } }],
    },
    {
      name: 'a typo in spec.ingressClassName',
      snapshot: world((w) => (w.ingresses = [ingress('shop', (i) => (i.ingressClassName = 'ngnix'))])),
      question: viaIngress(),
      hits: [
        {
          data: {
            ingress: 'default/shop',
            problem: 'class-not-found',
            className: 'ngnix',
            suggestion: 'nginx',
          },
        },
      ],
    },
    {
      name: 'no class and no default class',
      snapshot: world((w) => (w.ingresses = [noClass])),
      question: viaIngress(),
      hits: [{ data: { problem: 'no-class', classes: ['nginx'] } }],
    },
    {
      name: 'no class and two default classes',
      snapshot: world((w) => {
        w.ingresses = [noClass];
        w.ingressClasses = [
          ingressClass('nginx', true),
          ingressClass('traefik', true, 'traefik.io/ingress-controller'),
        ];
      }),
      question: viaIngress(),
      hits: [{ data: { problem: 'several-defaults' } }],
    },
    {
      name: 'audit: a class that no longer exists',
      snapshot: world((w) => {
        w.ingresses = [ingress('shop', (i) => (i.ingressClassName = 'alb'))];
      }),
      question: ask('clusterip', 'pod-on-other-node'),
      mode: 'audit',
      hits: [{ data: { problem: 'class-not-found', className: 'alb' } }],
    },
  ],
});
