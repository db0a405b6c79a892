# Helpers that print Kubernetes objects the way `kubectl get -o yaml` does, so each blind case
# can state only the facts of its failure report. Run `python3 test/blind/_generate.py`.
import os
import shutil

import yaml

TS = "2026-11-20T08:00:00Z"
_uid = [0]


def uid():
    _uid[0] += 1
    return f"4b1c{_uid[0]:04x}-9d1e-4e0a-b3c2-7f0e5a9c{_uid[0]:04x}"


def meta(name, ns=None, labels=None, annotations=None, **extra):
    m = {"name": name, "creationTimestamp": TS, "resourceVersion": str(1000 + _uid[0]), "uid": uid()}
    if ns:
        m["namespace"] = ns
    if labels:
        m["labels"] = dict(labels)
    if annotations:
        m["annotations"] = dict(annotations)
    m.update(extra)
    return m


def node(name, ip, ready=True, unschedulable=False, version="v1.29.4", pod_cidr=None, ext_ip=None, labels=None):
    addrs = [{"address": ip, "type": "InternalIP"}]
    if ext_ip:
        addrs.append({"address": ext_ip, "type": "ExternalIP"})
    addrs.append({"address": name, "type": "Hostname"})
    lab = {"kubernetes.io/hostname": name, "kubernetes.io/os": "linux", "kubernetes.io/arch": "amd64"}
    lab.update(labels or {})
    spec = {}
    if pod_cidr:
        spec["podCIDR"] = pod_cidr
        spec["podCIDRs"] = [pod_cidr]
    if unschedulable:
        spec["unschedulable"] = True
        spec["taints"] = [{"effect": "NoSchedule", "key": "node.kubernetes.io/unschedulable", "timeAdded": TS}]
    if not ready:
        spec["taints"] = [
            {"effect": "NoSchedule", "key": "node.kubernetes.io/unreachable", "timeAdded": TS},
            {"effect": "NoExecute", "key": "node.kubernetes.io/unreachable", "timeAdded": TS},
        ]
    cond = (
        {"type": "Ready", "status": "True", "reason": "KubeletReady", "message": "kubelet is posting ready status"}
        if ready
        else {"type": "Ready", "status": "Unknown", "reason": "NodeStatusUnknown", "message": "Kubelet stopped posting node status."}
    )
    cond.update({"lastHeartbeatTime": TS, "lastTransitionTime": TS})
    return {
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": meta(name, labels=lab),
        "spec": spec,
        "status": {
            "addresses": addrs,
            "conditions": [cond],
            "nodeInfo": {
                "kubeletVersion": version,
                "kubeProxyVersion": version,
                "containerRuntimeVersion": "containerd://1.7.13",
                "osImage": "Ubuntu 22.04.4 LTS",
                "operatingSystem": "linux",
                "architecture": "amd64",
            },
        },
    }


def container(name, image, ports=None, readiness=None, args=None):
    c = {"name": name, "image": image, "imagePullPolicy": "IfNotPresent"}
    if args:
        c["args"] = args
    if ports:
        c["ports"] = [dict(p, protocol=p.get("protocol", "TCP")) for p in ports]
    if readiness:
        c["readinessProbe"] = readiness
    c["resources"] = {}
    c["terminationMessagePath"] = "/dev/termination-log"
    c["terminationMessagePolicy"] = "File"
    return c


def pod(name, ns, labels, node_name, ip, containers, ready=True, phase="Running", host_ip=None,
        owner=None, waiting=None, restarts=0, host_network=False):
    md = meta(name, ns, labels)
    if owner:
        md["ownerReferences"] = [{"apiVersion": "apps/v1", "kind": owner[0], "name": owner[1], "uid": uid(),
                                  "controller": True, "blockOwnerDeletion": True}]
    statuses = []
    for c in containers:
        st = {"name": c["name"], "image": c["image"], "imageID": "", "ready": ready, "restartCount": restarts,
              "started": waiting is None}
        if waiting:
            st["state"] = {"waiting": {"reason": waiting, "message": "back-off 5m0s restarting failed container"}}
        else:
            st["state"] = {"running": {"startedAt": TS}}
        statuses.append(st)
    rs = "True" if ready else "False"
    conds = [
        {"type": "Initialized", "status": "True", "lastTransitionTime": TS},
        {"type": "Ready", "status": rs, "lastTransitionTime": TS},
        {"type": "ContainersReady", "status": rs, "lastTransitionTime": TS},
        {"type": "PodScheduled", "status": "True", "lastTransitionTime": TS},
    ]
    if not ready:
        conds[1]["reason"] = conds[2]["reason"] = "ContainersNotReady"
        conds[1]["message"] = conds[2]["message"] = "containers with unready status: [" + ",".join(c["name"] for c in containers) + "]"
    spec = {"containers": containers, "nodeName": node_name, "restartPolicy": "Always", "dnsPolicy": "ClusterFirst",
            "serviceAccountName": "default", "schedulerName": "default-scheduler"}
    if host_network:
        spec["hostNetwork"] = True
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": md,
        "spec": spec,
        "status": {"phase": phase, "conditions": conds, "hostIP": host_ip, "podIP": ip, "podIPs": [{"ip": ip}],
                   "startTime": TS, "containerStatuses": statuses, "qosClass": "BestEffort"},
    }


def service(name, ns, ports, selector=None, type_="ClusterIP", cluster_ip="10.96.0.10", etp=None, itp=None,
            lb_ingress=None, annotations=None, labels=None, headless=False, families=("IPv4",), policy="SingleStack",
            external_ips=None, hc_node_port=None):
    spec = {"type": type_}
    if headless:
        spec["clusterIP"] = "None"
        spec["clusterIPs"] = ["None"]
    else:
        spec["clusterIP"] = cluster_ip
        spec["clusterIPs"] = [cluster_ip]
    spec["ipFamilies"] = list(families)
    spec["ipFamilyPolicy"] = policy
    spec["internalTrafficPolicy"] = itp or "Cluster"
    if type_ in ("NodePort", "LoadBalancer"):
        spec["externalTrafficPolicy"] = etp or "Cluster"
    if hc_node_port:
        spec["healthCheckNodePort"] = hc_node_port
    if external_ips:
        spec["externalIPs"] = external_ips
    spec["ports"] = [dict(p, protocol=p.get("protocol", "TCP")) for p in ports]
    if selector is not None:
        spec["selector"] = selector
    spec["sessionAffinity"] = "None"
    status = {"loadBalancer": {}}
    if lb_ingress:
        status["loadBalancer"] = {"ingress": [{"ip": a} if a[0].isdigit() else {"hostname": a} for a in lb_ingress]}
    return {"apiVersion": "v1", "kind": "Service", "metadata": meta(name, ns, labels, annotations), "spec": spec,
            "status": status}


def endpoint_slice(svc_name, ns, suffix, ports, eps, family="IPv4"):
    """eps: list of (ip, node, pod_name, ready)."""
    s = {
        "apiVersion": "discovery.k8s.io/v1",
        "kind": "EndpointSlice",
        "metadata": meta(f"{svc_name}-{suffix}", ns, {"kubernetes.io/service-name": svc_name,
                                                       "endpointslice.kubernetes.io/managed-by": "endpointslice-controller.k8s.io"},
                         ownerReferences=[{"apiVersion": "v1", "kind": "Service", "name": svc_name, "uid": uid(),
                                           "controller": True, "blockOwnerDeletion": True}]),
        "addressType": family,
        "endpoints": [
            {"addresses": [ip], "conditions": {"ready": r, "serving": r, "terminating": False}, "nodeName": n,
             "targetRef": {"kind": "Pod", "name": p, "namespace": ns, "uid": uid()}}
            for ip, n, p, r in eps
        ] or None,
        "ports": ports,
    }
    return s


def endpoints(svc_name, ns, ports, eps):
    ready = [e for e in eps if e[3]]
    not_ready = [e for e in eps if not e[3]]
    subset = {}
    if ready:
        subset["addresses"] = [{"ip": ip, "nodeName": n, "targetRef": {"kind": "Pod", "name": p, "namespace": ns}}
                               for ip, n, p, _ in ready]
    if not_ready:
        subset["notReadyAddresses"] = [{"ip": ip, "nodeName": n, "targetRef": {"kind": "Pod", "name": p, "namespace": ns}}
                                       for ip, n, p, _ in not_ready]
    o = {"apiVersion": "v1", "kind": "Endpoints", "metadata": meta(svc_name, ns)}
    if subset and ports:
        subset["ports"] = ports
        o["subsets"] = [subset]
    return o


def event(ns, obj_kind, obj_name, reason, message, type_="Warning", count=12, source="kubelet"):
    return {
        "apiVersion": "v1",
        "kind": "Event",
        "metadata": meta(f"{obj_name}.17a{_uid[0]:05x}", ns),
        "involvedObject": {"kind": obj_kind, "name": obj_name, "namespace": ns, "apiVersion": "v1"},
        "reason": reason,
        "message": message,
        "type": type_,
        "count": count,
        "firstTimestamp": TS,
        "lastTimestamp": "2026-11-20T09:55:00Z",
        "source": {"component": source},
    }


def netpol(name, ns, pod_selector, ingress=None, egress=None, types=("Ingress",)):
    spec = {"podSelector": pod_selector, "policyTypes": list(types)}
    if ingress is not None:
        spec["ingress"] = ingress
    if egress is not None:
        spec["egress"] = egress
    return {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "metadata": meta(name, ns), "spec": spec}


def namespace(name, labels=None):
    lab = {"kubernetes.io/metadata.name": name}
    lab.update(labels or {})
    return {"apiVersion": "v1", "kind": "Namespace", "metadata": meta(name, labels=lab), "spec": {"finalizers": ["kubernetes"]},
            "status": {"phase": "Active"}}


def ingress(name, ns, rules, cls=None, tls=None, annotations=None, lb=None):
    spec = {}
    if cls:
        spec["ingressClassName"] = cls
    if tls:
        spec["tls"] = tls
    spec["rules"] = rules
    st = {"loadBalancer": {}}
    if lb:
        st["loadBalancer"] = {"ingress": [{"ip": a} if a[0].isdigit() else {"hostname": a} for a in lb]}
    return {"apiVersion": "networking.k8s.io/v1", "kind": "Ingress", "metadata": meta(name, ns, annotations=annotations),
            "spec": spec, "status": st}


def rule(host, paths):
    r = {"http": {"paths": [{"path": p, "pathType": pt, "backend": {"service": {"name": s, "port": port}}}
                            for p, pt, s, port in paths]}}
    if host:
        r = {"host": host, **r}
    return r


def ingress_class(name, controller="k8s.io/ingress-nginx", default=False):
    ann = {"ingressclass.kubernetes.io/is-default-class": "true"} if default else None
    return {"apiVersion": "networking.k8s.io/v1", "kind": "IngressClass",
            "metadata": meta(name, labels={"app.kubernetes.io/name": "ingress-nginx"}, annotations=ann),
            "spec": {"controller": controller}}


def kube_proxy_cm(mode="iptables", cluster_cidr="10.244.0.0/16"):
    conf = (
        "apiVersion: kubeproxy.config.k8s.io/v1alpha1\n"
        "bindAddress: 0.0.0.0\n"
        f"clusterCIDR: {cluster_cidr}\n"
        "kind: KubeProxyConfiguration\n"
        f"mode: \"{mode}\"\n"
        "nodePortAddresses: null\n"
    )
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": meta("kube-proxy", "kube-system", {"app": "kube-proxy"}),
            "data": {"config.conf": conf}}


def coredns_cm(domain="cluster.local"):
    corefile = (
        ".:53 {\n    errors\n    health {\n       lameduck 5s\n    }\n    ready\n"
        f"    kubernetes {domain} in-addr.arpa ip6.arpa {{\n       pods insecure\n       fallthrough in-addr.arpa ip6.arpa\n       ttl 30\n    }}\n"
        "    prometheus :9153\n    forward . /etc/resolv.conf {\n       max_concurrent 1000\n    }\n    cache 30\n    loop\n    reload\n    loadbalance\n}\n"
    )
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": meta("coredns", "kube-system"), "data": {"Corefile": corefile}}


def kube_proxy_pod(node_name, ip, ready=True, waiting=None, restarts=0, version="v1.29.4"):
    c = container("kube-proxy", f"registry.k8s.io/kube-proxy:{version}")
    return pod(f"kube-proxy-{node_name[-5:].replace('.', '')}", "kube-system", {"k8s-app": "kube-proxy"}, node_name, ip, [c],
               ready=ready, host_ip=ip, owner=("DaemonSet", "kube-proxy"), waiting=waiting, restarts=restarts,
               host_network=True)


def coredns_pods(nodes_ips, ready=True, waiting=None, restarts=0):
    out = []
    for i, (n, ip, hip) in enumerate(nodes_ips):
        c = container("coredns", "registry.k8s.io/coredns/coredns:v1.11.1",
                      ports=[{"containerPort": 53, "name": "dns", "protocol": "UDP"},
                             {"containerPort": 53, "name": "dns-tcp"}, {"containerPort": 9153, "name": "metrics"}])
        out.append(pod(f"coredns-76f75df574-{'abcde'[i]}x{i}q", "kube-system", {"k8s-app": "kube-dns"}, n, ip, [c],
                       ready=ready, host_ip=hip, owner=("ReplicaSet", "coredns-76f75df574"), waiting=waiting,
                       restarts=restarts))
    return out


def kube_dns_service(ready_eps):
    svc = service("kube-dns", "kube-system",
                  [{"name": "dns", "port": 53, "protocol": "UDP", "targetPort": 53},
                   {"name": "dns-tcp", "port": 53, "targetPort": 53},
                   {"name": "metrics", "port": 9153, "targetPort": 9153}],
                  selector={"k8s-app": "kube-dns"}, cluster_ip="10.96.0.10", labels={"k8s-app": "kube-dns"})
    return svc


def klist(items):
    return {"apiVersion": "v1", "kind": "List", "items": items, "metadata": {"resourceVersion": ""}}


class Case:
    root = os.path.join(os.path.dirname(os.path.abspath(__file__)))

    def __init__(self, name):
        self.name = name
        self.dir = os.path.join(self.root, name)
        self.files = {}

    def add(self, fname, items):
        self.files.setdefault(fname, []).extend(items)
        return self

    def raw(self, fname, text):
        self.files[fname] = text
        return self

    def write(self, expect):
        if os.path.isdir(self.dir):
            shutil.rmtree(self.dir)
        os.makedirs(os.path.join(self.dir, "bundle"))
        for fname, content in self.files.items():
            p = os.path.join(self.dir, "bundle", fname)
            os.makedirs(os.path.dirname(p), exist_ok=True)
            with open(p, "w") as f:
                if isinstance(content, str):
                    f.write(content)
                elif fname.endswith(".cloud.yaml") or fname.endswith("observations.yaml"):
                    yaml.safe_dump_all(content, f, sort_keys=False)
                else:
                    yaml.safe_dump(klist(content), f, sort_keys=False)
        with open(os.path.join(self.dir, "expect.yaml"), "w") as f:
            yaml.safe_dump(expect, f, sort_keys=False, width=120)
