// Kubeconfig loading with kubectl's rules, on top of @kubernetes/client-node's parser and
// authenticators (token, token file, client certificate, exec plugins, OIDC...).
//
// kubectl (client-go's ClientConfigLoadingRules) differs from the library's loadFromDefault in
// ways users notice: with several KUBECONFIG files the FIRST file that defines a cluster, user
// or context name wins, and so does the first non-empty current-context; missing files in
// KUBECONFIG are skipped; an explicit --kubeconfig must exist. We reproduce that here.

import { existsSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import { type Cluster, type Context, KubeConfig, type User } from '@kubernetes/client-node';
import { SvcdoctorError } from '../../errors.js';

export interface KubeconfigOptions {
  /** --kubeconfig: one file, which must exist. */
  kubeconfig?: string;
  /** --context: must name a context in the merged config. */
  context?: string;
  /** Defaults to process.env (KUBECONFIG, HOME, KUBERNETES_SERVICE_HOST/PORT). */
  env?: Record<string, string | undefined>;
  /** Root under which the in-cluster service account files live (tests). */
  inClusterRoot?: string;
}

export interface LoadedKubeconfig {
  kc: KubeConfig;
  contextName: string;
  cluster: Cluster;
  user: User;
  /** The context's namespace, or 'default' (what kubectl uses without -n). */
  namespace: string;
  /** Where the configuration came from: file paths, or 'in-cluster'. */
  sources: string[];
}

const SA_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

function isFile(p: string): boolean {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
}

function loadFile(file: string): KubeConfig {
  const kc = new KubeConfig();
  try {
    // loadFromFile also resolves relative certificate/key paths against the file's directory.
    kc.loadFromFile(file);
  } catch (e) {
    throw new SvcdoctorError(
      'SVCDOCTOR_INPUT_MALFORMED',
      `kubeconfig ${file} cannot be read: ${(e as Error).message}`,
      {
        hint: 'fix the file or pass another one with --kubeconfig',
        cause: e,
      },
    );
  }
  return kc;
}

function mergeFirstWins(files: string[]): { kc: KubeConfig; current: string } {
  const clusters = new Map<string, Cluster>();
  const users = new Map<string, User>();
  const contexts = new Map<string, Context>();
  let current = '';
  for (const f of files) {
    const one = loadFile(f);
    for (const c of one.clusters ?? []) if (!clusters.has(c.name)) clusters.set(c.name, c);
    for (const u of one.users ?? []) if (!users.has(u.name)) users.set(u.name, u);
    for (const c of one.contexts ?? []) if (!contexts.has(c.name)) contexts.set(c.name, c);
    if (!current && one.currentContext) current = one.currentContext;
  }
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [...clusters.values()],
    users: [...users.values()],
    contexts: [...contexts.values()],
    currentContext: current,
  });
  return { kc, current };
}

/** Loads the kubeconfig exactly as kubectl would pick it, and checks the chosen context. */
export function loadKubeconfig(options: KubeconfigOptions = {}): LoadedKubeconfig {
  const env = options.env ?? process.env;
  let files: string[] = [];
  if (options.kubeconfig !== undefined) {
    if (!isFile(options.kubeconfig)) {
      throw new SvcdoctorError(
        'SVCDOCTOR_KUBECONFIG_NOT_FOUND',
        `kubeconfig ${options.kubeconfig} does not exist`,
        {
          hint: 'pass an existing file with --kubeconfig, or --from DIR to read collected files',
        },
      );
    }
    files = [options.kubeconfig];
  } else if (env.KUBECONFIG) {
    files = env.KUBECONFIG.split(delimiter).filter((f) => f && isFile(f));
  } else {
    const home = env.HOME ?? homedir();
    const def = join(home, '.kube', 'config');
    if (isFile(def)) files = [def];
  }

  if (files.length > 0) {
    const { kc, current } = mergeFirstWins(files);
    return select(kc, options.context ?? current, files, options.context !== undefined);
  }

  const root = options.inClusterRoot ?? '';
  if (env.KUBERNETES_SERVICE_HOST && env.KUBERNETES_SERVICE_PORT && existsSync(`${root}${SA_DIR}/token`)) {
    const kc = new KubeConfig();
    const saved = { host: process.env.KUBERNETES_SERVICE_HOST, port: process.env.KUBERNETES_SERVICE_PORT };
    // The library reads the service host/port from process.env; give it the env we were handed.
    process.env.KUBERNETES_SERVICE_HOST = env.KUBERNETES_SERVICE_HOST;
    process.env.KUBERNETES_SERVICE_PORT = env.KUBERNETES_SERVICE_PORT;
    try {
      kc.loadFromCluster(root);
    } finally {
      restoreEnv('KUBERNETES_SERVICE_HOST', saved.host);
      restoreEnv('KUBERNETES_SERVICE_PORT', saved.port);
    }
    return select(kc, options.context ?? kc.currentContext, ['in-cluster'], options.context !== undefined);
  }

  const tried = env.KUBECONFIG
    ? `KUBECONFIG=${env.KUBECONFIG}`
    : join(env.HOME ?? homedir(), '.kube', 'config');
  throw new SvcdoctorError(
    'SVCDOCTOR_KUBECONFIG_NOT_FOUND',
    `no kubeconfig found (looked at ${tried}; not in a cluster)`,
    {
      hint: 'pass --kubeconfig FILE or --context, or use --from DIR / --demo NAME to work without a cluster',
    },
  );
}

function restoreEnv(key: string, value: string | undefined): void {
  if (value === undefined) delete process.env[key];
  else process.env[key] = value;
}

function select(kc: KubeConfig, contextName: string, sources: string[], explicit: boolean): LoadedKubeconfig {
  const names = kc.getContexts().map((c) => c.name);
  if (!contextName) {
    throw new SvcdoctorError(
      'SVCDOCTOR_CONTEXT_NOT_FOUND',
      `kubeconfig ${sources.join(', ')} sets no current context`,
      {
        hint: names.length
          ? `pass --context (one of: ${names.join(', ')})`
          : 'the kubeconfig defines no context',
      },
    );
  }
  const ctx = kc.getContextObject(contextName);
  if (!ctx) {
    throw new SvcdoctorError(
      'SVCDOCTOR_CONTEXT_NOT_FOUND',
      `context "${contextName}" ${explicit ? 'passed with --context' : 'named by current-context'} does not exist in ${sources.join(', ')}`,
      { hint: names.length ? `use one of: ${names.join(', ')}` : 'the kubeconfig defines no context' },
    );
  }
  kc.setCurrentContext(contextName);
  const cluster = kc.getCluster(ctx.cluster);
  if (!cluster) {
    throw new SvcdoctorError(
      'SVCDOCTOR_CONTEXT_NOT_FOUND',
      `context "${contextName}" refers to cluster "${ctx.cluster}", which is not defined`,
      {
        hint: 'fix the kubeconfig or pick another --context',
      },
    );
  }
  // A context without a user is legal (anonymous access); the library expects an object.
  const user = kc.getUser(ctx.user) ?? { name: ctx.user ?? '' };
  return { kc, contextName, cluster, user, namespace: ctx.namespace || 'default', sources };
}
