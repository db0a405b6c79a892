import { NodeDumpParseError } from '../errors.js';
import { canonicalIP, parseAddr } from '../ip.js';

// Reads IPVS tables as `ipvsadm -S -n` (restore format) or `ipvsadm -Ln` (listing) prints them.

export type IpvsProtocol = 'TCP' | 'UDP' | 'SCTP' | 'FWM';
export type IpvsForwarding = 'masq' | 'route' | 'tunnel' | 'local';

export interface RealServer {
  address: string;
  port: number;
  forwarding: IpvsForwarding;
  weight: number;
  activeConn?: number;
  inactiveConn?: number;
  line: number;
}

export interface VirtualService {
  protocol: IpvsProtocol;
  /** '' for firewall-mark services. */
  address: string;
  port: number;
  fwmark?: number;
  scheduler: string;
  /** Persistence timeout in seconds (ClientIP session affinity in kube-proxy). */
  persistent?: number;
  flags: string[];
  realServers: RealServer[];
  line: number;
}

export interface IpvsDump {
  file: string;
  services: VirtualService[];
}

export function vsKey(protocol: string, address: string, port: number): string {
  return `${protocol}|${canonicalIP(address)}|${port}`;
}

/** "10.0.0.1:80" or "[fd00::1]:80" (port optional for real servers in -S output). */
function splitAddrPort(text: string, needPort: boolean): { address: string; port: number } | undefined {
  let address: string;
  let port: string | undefined;
  if (text.startsWith('[')) {
    const close = text.indexOf(']');
    if (close < 0) return undefined;
    address = text.slice(1, close);
    port = text[close + 1] === ':' ? text.slice(close + 2) : undefined;
  } else {
    const i = text.lastIndexOf(':');
    if (i < 0 || text.indexOf(':') !== i) {
      address = text;
      port = undefined;
    } else {
      address = text.slice(0, i);
      port = text.slice(i + 1);
    }
  }
  if (!parseAddr(address)) return undefined;
  if (port === undefined) return needPort ? undefined : { address, port: 0 };
  if (!/^\d{1,5}$/.test(port) || Number(port) > 65535) return undefined;
  return { address, port: Number(port) };
}

const FORWARD_FLAGS: Record<string, IpvsForwarding> = {
  '-m': 'masq',
  '--masquerading': 'masq',
  '-g': 'route',
  '--gatewaying': 'route',
  '-i': 'tunnel',
  '--ipip': 'tunnel',
};

const FORWARD_NAMES: Record<string, IpvsForwarding> = {
  Masq: 'masq',
  Route: 'route',
  Tunnel: 'tunnel',
  Local: 'local',
};

function num(text: string | undefined, file: string, line: number, what: string): number {
  if (text === undefined || !/^\d+$/.test(text))
    throw new NodeDumpParseError(file, line, `bad ${what} "${text ?? ''}"`);
  return Number(text);
}

function parseSaveFormat(lines: string[], file: string): VirtualService[] {
  const services: VirtualService[] = [];
  const byKey = new Map<string, VirtualService>();
  lines.forEach((raw, i) => {
    const line = i + 1;
    const words = raw.trim().split(/\s+/);
    if (words[0] === '' || words[0]?.startsWith('#')) return;
    const op = words[0];
    if (op !== '-A' && op !== '-a')
      throw new NodeDumpParseError(file, line, `unexpected "${op}" (want -A or -a)`);
    let protocol: IpvsProtocol | undefined;
    let vip: { address: string; port: number } | undefined;
    let fwmark: number | undefined;
    const vs: Partial<VirtualService> = { flags: [] };
    const rs: Partial<RealServer> = { forwarding: 'route', weight: 1 };
    for (let j = 1; j < words.length; j++) {
      const w = words[j] as string;
      const next = (): string => {
        const v = words[++j];
        if (v === undefined) throw new NodeDumpParseError(file, line, `${w} needs a value`);
        return v;
      };
      if (
        w === '-t' ||
        w === '--tcp-service' ||
        w === '-u' ||
        w === '--udp-service' ||
        w === '--sctp-service'
      ) {
        protocol = w === '-t' || w === '--tcp-service' ? 'TCP' : w === '--sctp-service' ? 'SCTP' : 'UDP';
        const v = next();
        vip = splitAddrPort(v, true);
        if (!vip) throw new NodeDumpParseError(file, line, `bad service address "${v}"`);
      } else if (w === '-f' || w === '--fwmark-service') {
        protocol = 'FWM';
        fwmark = num(next(), file, line, 'firewall mark');
      } else if (w === '-s' || w === '--scheduler') vs.scheduler = next();
      else if (w === '-p' || w === '--persistent') {
        const v = words[j + 1];
        if (v !== undefined && /^\d+$/.test(v)) {
          vs.persistent = Number(v);
          j++;
        } else vs.persistent = 300;
      } else if (w === '-M' || w === '--netmask' || w === '-b' || w === '--sched-flags' || w === '--pe') {
        vs.flags?.push(`${w} ${next()}`);
      } else if (w === '-r' || w === '--real-server') {
        const v = next();
        const a = splitAddrPort(v, false);
        if (!a) throw new NodeDumpParseError(file, line, `bad real server "${v}"`);
        rs.address = a.address;
        rs.port = a.port;
      } else if (w in FORWARD_FLAGS) rs.forwarding = FORWARD_FLAGS[w];
      else if (w === '-w' || w === '--weight') rs.weight = num(next(), file, line, 'weight');
      else if (w === '-x' || w === '--u-threshold' || w === '-y' || w === '--l-threshold') next();
      else throw new NodeDumpParseError(file, line, `unknown option "${w}"`);
    }
    if (!protocol)
      throw new NodeDumpParseError(file, line, 'no service given (-t, -u, --sctp-service or -f)');
    const key = protocol === 'FWM' ? `FWM|${fwmark}` : vsKey(protocol, vip!.address, vip!.port);
    if (op === '-A') {
      if (byKey.has(key)) throw new NodeDumpParseError(file, line, 'virtual service added twice');
      const svc: VirtualService = {
        protocol,
        address: vip?.address ?? '',
        port: vip?.port ?? 0,
        ...(fwmark !== undefined ? { fwmark } : {}),
        scheduler: vs.scheduler ?? 'wlc',
        ...(vs.persistent !== undefined ? { persistent: vs.persistent } : {}),
        flags: vs.flags ?? [],
        realServers: [],
        line,
      };
      byKey.set(key, svc);
      services.push(svc);
    } else {
      const svc = byKey.get(key);
      if (!svc)
        throw new NodeDumpParseError(file, line, 'real server for a virtual service not added before');
      if (rs.address === undefined) throw new NodeDumpParseError(file, line, '-a needs -r');
      svc.realServers.push({
        address: rs.address,
        port: rs.port || svc.port,
        forwarding: rs.forwarding ?? 'route',
        weight: rs.weight ?? 1,
        line,
      });
    }
  });
  return services;
}

function parseListFormat(lines: string[], file: string): VirtualService[] {
  const services: VirtualService[] = [];
  let current: VirtualService | undefined;
  lines.forEach((raw, i) => {
    const line = i + 1;
    const text = raw.trim();
    if (text === '' || text.startsWith('IP Virtual Server') || text.startsWith('Prot LocalAddress')) return;
    if (text.startsWith('-> RemoteAddress')) return;
    const words = text.split(/\s+/);
    if (words[0] === '->') {
      if (!current) throw new NodeDumpParseError(file, line, 'real server before any virtual service');
      const a = splitAddrPort(words[1] ?? '', true);
      const fwd = FORWARD_NAMES[words[2] ?? ''];
      if (!a || !fwd)
        throw new NodeDumpParseError(
          file,
          line,
          'bad real server line (want "-> ADDR:PORT Forward Weight Active InAct")',
        );
      current.realServers.push({
        address: a.address,
        port: a.port,
        forwarding: fwd,
        weight: num(words[3], file, line, 'weight'),
        activeConn: num(words[4], file, line, 'active connections'),
        inactiveConn: num(words[5], file, line, 'inactive connections'),
        line,
      });
      return;
    }
    const proto = words[0];
    if (proto !== 'TCP' && proto !== 'UDP' && proto !== 'SCTP' && proto !== 'FWM') {
      throw new NodeDumpParseError(file, line, `unexpected "${words[0]}" (want TCP, UDP, SCTP, FWM or "->")`);
    }
    const svc: VirtualService = {
      protocol: proto,
      address: '',
      port: 0,
      scheduler: words[2] ?? '',
      flags: [],
      realServers: [],
      line,
    };
    if (proto === 'FWM') svc.fwmark = num(words[1], file, line, 'firewall mark');
    else {
      const a = splitAddrPort(words[1] ?? '', true);
      if (!a) throw new NodeDumpParseError(file, line, `bad service address "${words[1] ?? ''}"`);
      svc.address = a.address;
      svc.port = a.port;
    }
    if (!svc.scheduler) throw new NodeDumpParseError(file, line, 'virtual service without a scheduler');
    for (let j = 3; j < words.length; j++) {
      if (words[j] === 'persistent') svc.persistent = num(words[++j], file, line, 'persistence timeout');
      else svc.flags.push(words[j] as string);
    }
    services.push(svc);
    current = svc;
  });
  return services;
}

/** Parses `ipvsadm -S -n` or `ipvsadm -Ln` output (the format is recognised by its first line). */
export function parseIpvsadm(text: string, file = 'ipvsadm'): IpvsDump {
  const lines = text.split('\n').map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
  const first = lines.find((l) => l.trim() !== '' && !l.trim().startsWith('#'))?.trim() ?? '';
  const save = first.startsWith('-A') || first.startsWith('-a');
  return { file, services: save ? parseSaveFormat(lines, file) : parseListFormat(lines, file) };
}

/** Renders a dump in `ipvsadm -S -n` form (used by the round-trip tests). */
export function formatIpvsSave(dump: IpvsDump): string {
  const hp = (a: string, p: number) => (a.includes(':') ? `[${a}]:${p}` : `${a}:${p}`);
  const flag = { masq: '-m', route: '-g', tunnel: '-i', local: '-g' } as const;
  const out: string[] = [];
  for (const s of dump.services) {
    const svc =
      s.protocol === 'FWM'
        ? `-f ${s.fwmark}`
        : `${s.protocol === 'TCP' ? '-t' : s.protocol === 'UDP' ? '-u' : '--sctp-service'} ${hp(s.address, s.port)}`;
    out.push(
      `-A ${svc} -s ${s.scheduler}${s.persistent !== undefined ? ` -p ${s.persistent}` : ''}${s.flags.map((f) => ` ${f}`).join('')}`,
    );
    for (const r of s.realServers)
      out.push(`-a ${svc} -r ${hp(r.address, r.port)} ${flag[r.forwarding]} -w ${r.weight}`);
  }
  return `${out.join('\n')}\n`;
}
