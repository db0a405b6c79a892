# Writes every blind case (bundle + expect.yaml). Each case restates one public failure report
# (URL in its description); controls restate the working configuration after the fix.
from _lib import (Case, container, coredns_cm, coredns_pods, endpoint_slice, endpoints, event, ingress,
                  ingress_class, kube_dns_service, kube_proxy_cm, kube_proxy_pod, namespace, netpol, node, pod,
                  rule, service)

NODES = [("worker-1", "10.0.1.11", "10.244.1.0/24"), ("worker-2", "10.0.1.12", "10.244.2.0/24"),
         ("worker-3", "10.0.1.13", "10.244.3.0/24")]


def cluster(mode="iptables", version="v1.29.4", nodes=NODES, proxy_state=None, dns_ready=True, dns_waiting=None,
            dns_restarts=0):
    """Nodes, kube-proxy pods, kube-proxy + coredns ConfigMaps, CoreDNS pods and Service."""
    proxy_state = proxy_state or {}
    ns = [node(n, ip, pod_cidr=cidr, version=version) for n, ip, cidr in nodes]
    sysitems = [kube_proxy_cm(mode), coredns_cm()]
    for n, ip, _ in nodes:
        st = proxy_state.get(n, {})
        sysitems.append(kube_proxy_pod(n, ip, version=version, **st))
    dns_nodes = [(nodes[0][0], "10.244.1.2", nodes[0][1]), (nodes[1][0], "10.244.2.2", nodes[1][1])]
    dpods = coredns_pods(dns_nodes, ready=dns_ready, waiting=dns_waiting, restarts=dns_restarts)
    sysitems += dpods
    sysitems.append(kube_dns_service(dns_ready))
    dns_eps = [(ip, n, p["metadata"]["name"], dns_ready) for (n, ip, _), p in zip(dns_nodes, dpods)]
    sysitems.append(endpoint_slice("kube-dns", "kube-system", "8xk2p",
                                   [{"name": "dns", "port": 53, "protocol": "UDP"},
                                    {"name": "dns-tcp", "port": 53, "protocol": "TCP"},
                                    {"name": "metrics", "port": 9153, "protocol": "TCP"}], dns_eps))
    return ns, sysitems


def toolbox(ns="default", node_name="worker-2", ip="10.244.2.31", labels=None, name="toolbox"):
    c = container("toolbox", "nicolaka/netshoot:v0.12", args=["sleep", "infinity"])
    return pod(name, ns, labels or {"run": "toolbox"}, node_name, ip, [c], host_ip=dict((n, i) for n, i, _ in NODES)[node_name])


def workload(app, ns, replicas, image, ports, ready=True, labels=None, rs="7d9f8c6b5", readiness=None,
             placement=None, ips=None):
    labels = labels or {"app": app}
    pods = []
    for i in range(replicas):
        n = (placement or [NODES[j % 3][0] for j in range(replicas)])[i]
        hip = dict((x, y) for x, y, _ in NODES)[n]
        ip = (ips or [])[i] if ips else f"10.244.{n[-1]}.{40 + i}"
        r = ready[i] if isinstance(ready, list) else ready
        c = container(app, image, ports=ports, readiness=readiness)
        pods.append(pod(f"{app}-{rs}-{'qwxyz'[i]}{i}k{i}m", ns, dict(labels, **{"pod-template-hash": rs}), n, ip, [c],
                        ready=r, host_ip=hip, owner=("ReplicaSet", f"{app}-{rs}")))
    return pods


def eps_of(pods):
    return [(p["status"]["podIP"], p["spec"]["nodeName"], p["metadata"]["name"],
             p["status"]["conditions"][1]["status"] == "True") for p in pods]


def obs(items):
    return [{"apiVersion": "svcdoctor/v1alpha1", "kind": "Observations", "items": items}]


def cloud(provider, **kw):
    d = {"apiVersion": "svcdoctor/v1alpha1", "kind": "CloudInventory", "provider": provider}
    d.update(kw)
    return [d]


AT = "2026-11-20T10:00:00Z"
cases = []


def case(name, expect):
    c = Case(name)
    cases.append((c, expect))
    return c


# 1. Helm chart renamed the selector: api-svc vs api-service -> no endpoints, LB 503.
ns_, sys_ = cluster()
pods = workload("api-service", "prod", 3, "ghcr.io/acme/api:2.4.1", [{"containerPort": 8080, "name": "http"}])
svc = service("api-service", "prod", [{"name": "http", "port": 80, "targetPort": 8080}], selector={"app": "api-svc"},
              cluster_ip="10.96.44.12")
case("selector-helm-rename", {
    "description": "Service selector app=api-svc after a Helm chart update, pods carry app=api-service: endpoints <none> "
                   "(https://grokdatum.github.io/grokdevops-wiki/library/case-studies/kubernetes_ops/service-no-endpoints/replay)",
    "args": ["diagnose", "api-service", "-n", "prod", "--client", "pod/prod/toolbox", "--via", "clusterip"],
    "exit": 1, "verdict": "unreachable", "top": "selector-matches-no-pods",
}).add("prod.yaml", [svc, endpoint_slice("api-service", "prod", "m2n7d", None, []), endpoints("api-service", "prod", None, []),
                     *pods, toolbox("prod")]).add("cluster.yaml", ns_).add("kube-system.yaml", sys_)

# 2. Named targetPort "http" but the container port has no name: endpoints empty, slice ports <unset>.
ns_, sys_ = cluster()
pods = workload("deploy", "test", 2, "nginx:1.25", [{"containerPort": 80}], ips=["10.244.1.73", "10.244.2.72"])
svc = service("svc", "test", [{"port": 80, "targetPort": "http"}], selector={"app": "deploy"}, cluster_ip="10.96.201.7")
case("named-targetport-unnamed-container", {
    "description": "targetPort: http while the container port 80 has no name; Endpoints <none>, slice ports <unset> "
                   "(https://github.com/kubernetes/kubernetes/issues/109627)",
    "args": ["diagnose", "svc", "-n", "test", "--client", "pod/test/toolbox", "--via", "clusterip"],
    "exit": 1, "verdict": "unreachable", "top": "target-port-mismatch",
}).add("test.yaml", [svc, endpoint_slice("svc", "test", "hqt89", None, eps_of(pods)), endpoints("svc", "test", None, []),
                     *pods, toolbox("test")]).add("cluster.yaml", ns_).add("kube-system.yaml", sys_)

# 3. Control: the same Service after naming the container port http (the fix in the issue).
ns_, sys_ = cluster()
pods = workload("deploy", "test", 2, "nginx:1.25", [{"containerPort": 80, "name": "http"}], ips=["10.244.1.74", "10.244.2.75"])
svc = service("svc", "test", [{"port": 80, "targetPort": "http"}], selector={"app": "deploy"}, cluster_ip="10.96.201.7")
case("control-named-targetport-fixed", {
    "description": "control: container port named http, Endpoints 10.244.1.74:80,10.244.2.75:80 "
                   "(fix of https://github.com/kubernetes/kubernetes/issues/109627)",
    "args": ["diagnose", "svc", "-n", "test", "--client", "pod/test/toolbox", "--via", "clusterip"],
    "exit": 0, "verdict": "reachable",
}).add("test.yaml", [svc, endpoint_slice("svc", "test", "tzx2r", [{"name": "", "port": 80, "protocol": "TCP"}], eps_of(pods)),
                     endpoints("svc", "test", [{"port": 80, "protocol": "TCP"}], eps_of(pods)), *pods, toolbox("test")]
      ).add("cluster.yaml", ns_).add("kube-system.yaml", sys_)

# 4. Numeric targetPort 8080 while nginx listens on containerPort 80 -> connection refused.
ns_, sys_ = cluster()
pods = workload("nginx", "default", 2, "nginx:1.21", [{"containerPort": 80, "name": "http"}])
svc = service("nginx-clusterip", "default", [{"name": "http", "port": 8080, "targetPort": 8080}], selector={"app": "nginx"},
              cluster_ip="10.96.13.80")
ep = eps_of(pods)
case("numeric-targetport-wrong", {
    "description": "Service port 8080 targetPort 8080, nginx containerPort 80; curl gets connection refused "
                   "(https://docsops.netlify.app/docs/services/ — targetPort must equal containerPort)",
    "args": ["diagnose", "nginx-clusterip", "-n", "default", "--client", "pod/default/toolbox", "--via", "clusterip",
             "--observed", "curl: (7) Failed to connect to 10.96.13.80 port 8080: Connection refused"],
    "exit": 1, "verdict": "unreachable", "top": "target-port-mismatch",
}).add("default.yaml", [svc, endpoint_slice("nginx-clusterip", "default", "5fj2k", [{"name": "http", "port": 8080, "protocol": "TCP"}], ep),
                        endpoints("nginx-clusterip", "default", [{"name": "http", "port": 8080, "protocol": "TCP"}], ep),
                        *pods, toolbox()]).add("cluster.yaml", ns_).add("kube-system.yaml", sys_)

# 5. Readiness probe fails with connection refused: all pods 0/1, endpoints only notReady.
ns_, sys_ = cluster()
probe = {"httpGet": {"path": "/ready", "port": 8002, "scheme": "HTTP"}, "periodSeconds": 10, "failureThreshold": 3,
         "timeoutSeconds": 1, "successThreshold": 1}
pods = workload("envoy", "projectcontour", 2, "envoyproxy/envoy:v1.18.3",
                [{"containerPort": 8080, "name": "http"}, {"containerPort": 8443, "name": "https"}], ready=False,
                readiness=probe, ips=["10.244.1.89", "10.244.2.90"])
svc = service("envoy", "projectcontour", [{"name": "http", "port": 80, "targetPort": 8080, "nodePort": 30080},
                                          {"name": "https", "port": 443, "targetPort": 8443, "nodePort": 30443}],
              selector={"app": "envoy"}, type_="NodePort", cluster_ip="10.96.150.3")
ep = eps_of(pods)
evs = [event("projectcontour", "Pod", p["metadata"]["name"], "Unhealthy",
             f"Readiness probe failed: Get \"http://{p['status']['podIP']}:8002/ready\": dial tcp {p['status']['podIP']}:8002: connect: connection refused",
             count=311) for p in pods]
case("readiness-probe-refused", {
    "description": "envoy pods 1/2 ready forever, Readiness probe failed: dial tcp ...:8002: connect: connection refused; "
                   "endpoints empty (https://github.com/projectcontour/contour/issues/3643)",
    "args": ["diagnose", "envoy", "-n", "projectcontour", "--client", "vpc", "--via", "nodeport", "--address", "10.0.1.11:30080"],
    "exit": 1, "verdict": "unreachable", "top": "endpoints-not-ready",
}).add("projectcontour.yaml", [svc,
                               endpoint_slice("envoy", "projectcontour", "k2v9s", [{"name": "http", "port": 8080, "protocol": "TCP"},
                                                                                    {"name": "https", "port": 8443, "protocol": "TCP"}], ep),
                               endpoints("envoy", "projectcontour", [{"name": "http", "port": 8080, "protocol": "TCP"},
                                                                     {"name": "https", "port": 8443, "protocol": "TCP"}], ep),
                               *pods, *evs]).add("cluster.yaml", ns_).add("kube-system.yaml", sys_)

# 6. Control: rolling update, one of three pods not ready yet; Service still served by two.
ns_, sys_ = cluster()
probe = {"httpGet": {"path": "/healthz", "port": 8080, "scheme": "HTTP"}, "periodSeconds": 5, "failureThreshold": 3,
         "timeoutSeconds": 1, "successThreshold": 1}
pods = workload("checkout", "shop", 3, "ghcr.io/example/checkout:1.0.1", [{"containerPort": 8080, "name": "http"}],
                ready=[True, True, False], readiness=probe)
svc = service("checkout", "shop", [{"name": "http", "port": 80, "targetPort": "http"}], selector={"app": "checkout"},
              cluster_ip="10.96.77.21")
ep = eps_of(pods)
case("control-rollout-one-unready", {
    "description": "control: 2 of 3 checkout pods Ready during a rollout; requests keep working "
                   "(https://ki-auftritt.de/blog/kubernetes-services-networking-dns — readiness removes a pod from traffic)",
    "args": ["diagnose", "checkout", "-n", "shop", "--client", "pod/shop/toolbox", "--via", "dns"],
    "exit": 1, "verdict": "reachable",
}).add("shop.yaml", [svc, endpoint_slice("checkout", "shop", "v8r2q", [{"name": "http", "port": 8080, "protocol": "TCP"}], ep),
                     endpoints("checkout", "shop", [{"name": "http", "port": 8080, "protocol": "TCP"}], ep), *pods,
                     event("shop", "Pod", pods[2]["metadata"]["name"], "Unhealthy",
                           "Readiness probe failed: HTTP probe failed with statuscode: 503", count=2),
                     toolbox("shop")]).add("cluster.yaml", ns_).add("kube-system.yaml", sys_)

# 7. Flask app bound to 127.0.0.1: works inside the container, refused at pod IP.
ns_, sys_ = cluster()
pods = workload("flask-api", "default", 1, "registry.example.com/flask-api:0.3", [{"containerPort": 5000, "name": "http"}],
                ips=["10.244.1.52"])
svc = service("flask-api", "default", [{"name": "http", "port": 80, "targetPort": 5000}], selector={"app": "flask-api"},
              cluster_ip="10.96.91.5")
ep = eps_of(pods)
case("app-bound-localhost", {
    "description": "app.run() binds 127.0.0.1:5000: curl localhost:5000 inside the container works, pod IP refused "
                   "(https://cr0x.net/en/docker-connection-refused-fix-networks — the server is not listening where you think)",
    "args": ["diagnose", "flask-api", "-n", "default", "--client", "pod/default/toolbox", "--via", "clusterip"],
    "exit": 1, "verdict": "unreachable", "top": "app-bound-to-localhost",
}).add("default.yaml", [svc, endpoint_slice("flask-api", "default", "p9c3x", [{"name": "http", "port": 5000, "protocol": "TCP"}], ep),
                        endpoints("flask-api", "default", [{"name": "http", "port": 5000, "protocol": "TCP"}], ep), *pods, toolbox()]
      ).add("cluster.yaml", ns_).add("kube-system.yaml", sys_).add("observations.yaml", obs([
          {"at": AT, "from": "pod/default/toolbox", "to": "10.244.1.52:5000/tcp", "result": "refused",
           "detail": "curl: (7) Failed to connect to 10.244.1.52 port 5000: Connection refused"},
          {"at": AT, "from": "pod/default/" + pods[0]["metadata"]["name"], "to": "127.0.0.1:5000/tcp", "result": "ok",
           "detail": "kubectl exec flask-api -- curl -s localhost:5000/ -> 200"},
      ]))

# 8. NetworkPolicy admits only run=access; the busybox client has no such label.
ns_, sys_ = cluster()
pods = workload("my-dep", "default", 1, "nginx:1.19", [{"containerPort": 80}], ips=["10.244.1.65"])
svc = service("my-dep", "default", [{"port": 80, "targetPort": 80, "nodePort": 32620}], selector={"app": "my-dep"},
              type_="NodePort", cluster_ip="10.110.22.112", labels={"app": "my-dep"})
ep = eps_of(pods)
pol = netpol("access-nginx", "default", {"matchLabels": {"app": "my-dep"}},
             ingress=[{"from": [{"podSelector": {"matchLabels": {"run": "access"}}}]}])
case("netpol-client-label-missing", {
    "description": "NetworkPolicy access-nginx admits only pods run=access; busybox test pod (run=busybox) cannot connect "
                   "(https://github.com/projectcalico/calico/issues/3815)",
    "args": ["diagnose", "my-dep", "-n", "default", "--client", "pod/default/busybox", "--via", "clusterip"],
    "exit": 1, "verdict": "unreachable", "top": "network-policy-denies",
}).add("default.yaml", [svc, endpoint_slice("my-dep", "default", "x7w2m", [{"name": "", "port": 80, "protocol": "TCP"}], ep),
                        endpoints("my-dep", "default", [{"port": 80, "protocol": "TCP"}], ep), *pods,
                        toolbox(name="busybox", labels={"run": "busybox"}), pol]).add("cluster.yaml", ns_).add("kube-system.yaml", sys_)

# 9. Control: the same policy, the client pod now labelled run=access.
ns_, sys_ = cluster()
pods = workload("my-dep", "default", 1, "nginx:1.19", [{"containerPort": 80}], ips=["10.244.1.65"])
svc = service("my-dep", "default", [{"port": 80, "targetPort": 80, "nodePort": 32620}], selector={"app": "my-dep"},
              type_="NodePort", cluster_ip="10.110.22.112", labels={"app": "my-dep"})
ep = eps_of(pods)
pol = netpol("access-nginx", "default", {"matchLabels": {"app": "my-dep"}},
             ingress=[{"from": [{"podSelector": {"matchLabels": {"run": "access"}}}]}])
case("control-netpol-client-labelled", {
    "description": "control: client pod started with --labels run=access is admitted by access-nginx "
                   "(fix of https://github.com/projectcalico/calico/issues/3815)",
    "args": ["diagnose", "my-dep", "-n", "default", "--client", "pod/default/access", "--via", "clusterip"],
    "exit": 0, "verdict": "reachable",
}).add("default.yaml", [svc, endpoint_slice("my-dep", "default", "x7w2m", [{"name": "", "port": 80, "protocol": "TCP"}], ep),
                        endpoints("my-dep", "default", [{"port": 80, "protocol": "TCP"}], ep), *pods,
                        toolbox(name="access", labels={"run": "access"}), pol]).add("cluster.yaml", ns_).add("kube-system.yaml", sys_)

# 10. Deny traffic from other namespaces: client in default calls db in namespace1.
ns_, sys_ = cluster()
pods = workload("postgres", "namespace1", 1, "postgres:15", [{"containerPort": 5432, "name": "postgres"}], ips=["10.244.3.20"],
                placement=["worker-3"])
svc = service("postgres", "namespace1", [{"name": "postgres", "port": 5432, "targetPort": 5432}], selector={"app": "postgres"},
              cluster_ip="10.96.54.32")
ep = eps_of(pods)
pol = netpol("deny-from-other-namespaces", "namespace1", {}, ingress=[{"from": [{"podSelector": {}}]}])
case("netpol-deny-other-namespaces", {
    "description": "deny-from-other-namespaces (ingress from podSelector {} only) in namespace1; app in namespace2 "
                   "times out on the database Service FQDN (https://github.com/ahmetb/kubernetes-network-policy-recipes/issues/42)",
    "args": ["diagnose", "postgres", "-n", "namespace1", "--client", "pod/namespace2/app", "--via", "dns"],
    "exit": 1, "verdict": "unreachable", "top": "network-policy-denies",
}).add("namespace1.yaml", [namespace("namespace1"), svc,
                           endpoint_slice("postgres", "namespace1", "b4n8c", [{"name": "postgres", "port": 5432, "protocol": "TCP"}], ep),
                           endpoints("postgres", "namespace1", [{"name": "postgres", "port": 5432, "protocol": "TCP"}], ep), *pods, pol]
      ).add("namespace2.yaml", [namespace("namespace2"), toolbox("namespace2", name="app", labels={"app": "web"})]
            ).add("cluster.yaml", ns_).add("kube-system.yaml", sys_)

# 11. kube-proxy not running on the node that restarted: pods there cannot reach any Service.
ns_, sys_ = cluster(proxy_state={"worker-2": {"ready": False, "waiting": "CrashLoopBackOff", "restarts": 146}})
pods = workload("orders", "default", 2, "ghcr.io/acme/orders:3.1", [{"containerPort": 8080, "name": "http"}],
                placement=["worker-1", "worker-3"])
svc = service("orders", "default", [{"name": "http", "port": 80, "targetPort": "http"}], selector={"app": "orders"},
              cluster_ip="10.96.120.40")
ep = eps_of(pods)
case("kube-proxy-crashloop-node", {
    "description": "one node's kube-proxy in CrashLoopBackOff (Back-off restarting failed container); pods on that node "
                   "cannot reach any Service, other nodes fine (https://github.com/Azure/acs-engine/issues/531, "
                   "https://github.com/kubernetes/kube-proxy/issues/14)",
    "args": ["diagnose", "orders", "-n", "default", "--client", "pod/default/toolbox", "--via", "clusterip"],
    "exit": 1, "verdict": "unreachable", "top": "kube-proxy-not-running",
}).add("default.yaml", [svc, endpoint_slice("orders", "default", "r5t6y", [{"name": "http", "port": 8080, "protocol": "TCP"}], ep),
                        endpoints("orders", "default", [{"name": "http", "port": 8080, "protocol": "TCP"}], ep), *pods, toolbox()]
      ).add("cluster.yaml", ns_).add("kube-system.yaml", sys_)

# 12. externalTrafficPolicy Local NodePort: curl to the node without the pod times out.
ns_, sys_ = cluster()
pods = workload("nginx", "default", 1, "nginx:1.25", [{"containerPort": 80, "name": "http"}], placement=["worker-1"],
                ips=["10.244.1.30"])
svc = service("nginx-ext", "default", [{"port": 80, "targetPort": 80, "nodePort": 32204}], selector={"app": "nginx"},
              type_="NodePort", etp="Local", cluster_ip="10.108.2.154", labels={"app": "nginx"})
ep = eps_of(pods)
case("etp-local-nodeport-other-node", {
    "description": "NodePort with externalTrafficPolicy: Local answers on the node running nginx, times out on worker-2 "
                   "(https://github.com/weaveworks/weave/issues/3568, https://github.com/kubernetes/kubernetes/issues/66354)",
    "args": ["diagnose", "nginx-ext", "-n", "default", "--client", "vpc", "--via", "nodeport", "--address", "10.0.1.12:32204"],
    "exit": 1, "verdict": "unreachable", "top": "etp-local-no-local-endpoint",
}).add("default.yaml", [svc, endpoint_slice("nginx-ext", "default", "d3f4g", [{"name": "", "port": 80, "protocol": "TCP"}], ep),
                        endpoints("nginx-ext", "default", [{"port": 80, "protocol": "TCP"}], ep), *pods]
      ).add("cluster.yaml", ns_).add("kube-system.yaml", sys_).add("observations.yaml", obs([
          {"at": AT, "from": "vpc", "to": "10.0.1.12:32204/tcp", "result": "timeout",
           "detail": "curl: (28) Failed to connect to 10.0.1.12 port 32204 after 130001 ms: Couldn't connect to server"},
          {"at": AT, "from": "vpc", "to": "10.0.1.11:32204/tcp", "result": "ok"}]))

# 13. Control: eTP Local LoadBalancer whose LB marks pod-less nodes unhealthy (expected behaviour).
ns_, sys_ = cluster()
pods = workload("web", "default", 1, "nginx:1.25", [{"containerPort": 80, "name": "http"}], placement=["worker-1"],
                ips=["10.244.1.35"])
svc = service("web", "default", [{"name": "http", "port": 80, "targetPort": 80, "nodePort": 31080}], selector={"app": "web"},
              type_="LoadBalancer", etp="Local", cluster_ip="10.96.60.1", lb_ingress=["51.159.114.85"], hc_node_port=32111)
ep = eps_of(pods)
inv = cloud("generic", loadBalancers=[{
    "id": "lb-7f3a", "kind": "nlb", "scheme": "public", "addresses": ["51.159.114.85"], "owner": "service/default/web",
    "listeners": [{"protocol": "TCP", "port": 80, "healthCheck": {"enabled": True, "protocol": "HTTP", "port": 32111},
                   "backends": [{"target": "node/worker-1", "address": "10.0.1.11", "port": 31080, "health": "healthy"},
                                {"target": "node/worker-2", "address": "10.0.1.12", "port": 31080, "health": "unhealthy"},
                                {"target": "node/worker-3", "address": "10.0.1.13", "port": 31080, "health": "unhealthy"}]}]}],
    securityGroups=[{"id": "sg-nodes", "attachedTo": ["node/worker-1", "node/worker-2", "node/worker-3"],
                     "inbound": [{"protocol": "tcp", "ports": "30000-32767", "source": "0.0.0.0/0", "action": "allow"}]}])
case("control-etp-local-lb-unhealthy-nodes", {
    "description": "control: eTP Local LoadBalancer, nodes without the pod fail the health check so the LB avoids them — "
                   "maintainer: desired and expected (https://github.com/scaleway/scaleway-cloud-controller-manager/issues/62)",
    "args": ["diagnose", "web", "-n", "default", "--client", "internet", "--via", "loadbalancer"],
    "exit": 0, "verdict": "reachable",
}).add("default.yaml", [svc, endpoint_slice("web", "default", "h8j9k", [{"name": "http", "port": 80, "protocol": "TCP"}], ep),
                        endpoints("web", "default", [{"name": "http", "port": 80, "protocol": "TCP"}], ep), *pods]
      ).add("cluster.yaml", ns_).add("kube-system.yaml", sys_).add("inventory.cloud.yaml", inv)

# 14. Bare metal LoadBalancer stuck <pending>.
ns_, sys_ = cluster()
pods = workload("my-app", "default", 2, "ghcr.io/acme/my-app:1.0", [{"containerPort": 8080, "name": "http"}])
svc = service("my-app", "default", [{"port": 80, "targetPort": 8080, "nodePort": 31234}], selector={"app": "my-app"},
              type_="LoadBalancer", cluster_ip="10.96.45.123")
ep = eps_of(pods)
case("lb-pending-bare-metal", {
    "description": "type LoadBalancer on a bare-metal cluster without MetalLB or a cloud controller: EXTERNAL-IP <pending> "
                   "forever (https://oneuptime.com/blog/post/2026-01-19-kubernetes-loadbalancer-without-cloud-provider/view)",
    "args": ["diagnose", "my-app", "-n", "default", "--client", "internet", "--via", "loadbalancer"],
    "exit": 1, "verdict": "unreachable", "top": "lb-not-provisioned",
}).add("default.yaml", [svc, endpoint_slice("my-app", "default", "w2e3r", [{"name": "", "port": 8080, "protocol": "TCP"}], ep),
                        endpoints("my-app", "default", [{"port": 8080, "protocol": "TCP"}], ep), *pods]
      ).add("cluster.yaml", ns_).add("kube-system.yaml", sys_)

# 15. EKS: LB pending, the controller cannot find tagged subnets.
ns_, sys_ = cluster(version="v1.28.5-eks-5e0fdde")
pods = workload("frontend", "web", 2, "ghcr.io/acme/frontend:5.2", [{"containerPort": 3000, "name": "http"}])
svc = service("frontend", "web", [{"name": "http", "port": 80, "targetPort": "http", "nodePort": 30917}],
              selector={"app": "frontend"}, type_="LoadBalancer", cluster_ip="172.20.14.9",
              annotations={"service.beta.kubernetes.io/aws-load-balancer-type": "external",
                           "service.beta.kubernetes.io/aws-load-balancer-nlb-target-type": "ip",
                           "service.beta.kubernetes.io/aws-load-balancer-scheme": "internet-facing"})
ep = eps_of(pods)
case("lb-pending-eks-subnets", {
    "description": "EKS NLB Service stays <pending>: FailedBuildModel unable to resolve at least one subnet (subnets not tagged "
                   "kubernetes.io/role/elb) (https://hackgptdeveloper.github.io/2025/11/12/common-cause-of-problems-in-kubernetes.html — "
                   "incorrect cloud tags leave services pending)",
    "args": ["diagnose", "frontend", "-n", "web", "--client", "internet", "--via", "loadbalancer"],
    "exit": 1, "verdict": "unreachable", "top": "lb-not-provisioned",
}).add("web.yaml", [svc, endpoint_slice("frontend", "web", "t6y7u", [{"name": "http", "port": 3000, "protocol": "TCP"}], ep),
                    endpoints("frontend", "web", [{"name": "http", "port": 3000, "protocol": "TCP"}], ep), *pods,
                    event("web", "Service", "frontend", "FailedBuildModel",
                          "Failed build model due to unable to resolve at least one subnet (0 match VPC and tags: "
                          "[kubernetes.io/role/elb])", source="service", count=27)]
      ).add("cluster.yaml", ns_).add("kube-system.yaml", sys_)

# 16. AWS: NodePort from the internet, node security group opens only 22 and 443.
ns_, sys_ = cluster(version="v1.28.5-eks-5e0fdde")
for n, e in zip(ns_, ["54.201.10.11", "54.201.10.12", "54.201.10.13"]):
    n["status"]["addresses"].insert(1, {"address": e, "type": "ExternalIP"})
pods = workload("demo", "default", 2, "nginx:1.25", [{"containerPort": 80, "name": "http"}])
svc = service("demo", "default", [{"port": 80, "targetPort": 80, "nodePort": 30080}], selector={"app": "demo"},
              type_="NodePort", cluster_ip="172.20.88.1")
ep = eps_of(pods)
sg_rules = [{"protocol": "tcp", "ports": "22", "source": "0.0.0.0/0", "action": "allow"},
            {"protocol": "tcp", "ports": "443", "source": "10.0.0.0/16", "action": "allow"},
            {"protocol": "all", "source": "sg-nodes", "action": "allow"}]
inv = cloud("eks", securityGroups=[{"id": "sg-nodes", "attachedTo": ["node/worker-1", "node/worker-2", "node/worker-3"],
                                     "inbound": sg_rules}])
case("nodeport-aws-sg-closed", {
    "description": "NodePort 30080 from a laptop times out; the worker security group opens only SSH and 443 — add inbound "
                   "30000-32767 (https://hackgptdeveloper.github.io/2025/11/12/common-cause-of-problems-in-kubernetes.html, "
                   "https://charlesxu.io/eks-sg)",
    "args": ["diagnose", "demo", "-n", "default", "--client", "internet", "--via", "nodeport", "--address", "54.201.10.11:30080"],
    "exit": 1, "verdict": "unreachable", "top": "node-sg-blocks-nodeport",
}).add("default.yaml", [svc, endpoint_slice("demo", "default", "a1s2d", [{"name": "", "port": 80, "protocol": "TCP"}], ep),
                        endpoints("demo", "default", [{"port": 80, "protocol": "TCP"}], ep), *pods]
      ).add("cluster.yaml", ns_).add("kube-system.yaml", sys_).add("inventory.cloud.yaml", inv).add("observations.yaml", obs([
          {"at": AT, "from": "internet", "to": "54.201.10.11:30080/tcp", "result": "timeout",
           "detail": "curl: (28) Connection timed out after 10001 milliseconds"}]))

# 17. Control: same cluster after adding the NodePort range to the security group.
ns_, sys_ = cluster(version="v1.28.5-eks-5e0fdde")
for n, e in zip(ns_, ["54.201.10.11", "54.201.10.12", "54.201.10.13"]):
    n["status"]["addresses"].insert(1, {"address": e, "type": "ExternalIP"})
pods = workload("demo", "default", 2, "nginx:1.25", [{"containerPort": 80, "name": "http"}])
svc = service("demo", "default", [{"port": 80, "targetPort": 80, "nodePort": 30080}], selector={"app": "demo"},
              type_="NodePort", cluster_ip="172.20.88.1")
ep = eps_of(pods)
inv = cloud("eks", securityGroups=[{"id": "sg-nodes", "attachedTo": ["node/worker-1", "node/worker-2", "node/worker-3"],
                                     "inbound": sg_rules + [{"protocol": "tcp", "ports": "30000-32767", "source": "0.0.0.0/0",
                                                             "action": "allow"}]}])
case("control-nodeport-aws-sg-open", {
    "description": "control: worker security group now allows tcp 30000-32767 from 0.0.0.0/0 "
                   "(fix from https://hackgptdeveloper.github.io/2025/11/12/common-cause-of-problems-in-kubernetes.html)",
    "args": ["diagnose", "demo", "-n", "default", "--client", "internet", "--via", "nodeport", "--address", "54.201.10.11:30080"],
    "exit": 0, "verdict": "reachable",
}).add("default.yaml", [svc, endpoint_slice("demo", "default", "a1s2d", [{"name": "", "port": 80, "protocol": "TCP"}], ep),
                        endpoints("demo", "default", [{"port": 80, "protocol": "TCP"}], ep), *pods]
      ).add("cluster.yaml", ns_).add("kube-system.yaml", sys_).add("inventory.cloud.yaml", inv)

# 18. Ingress without ingressClassName, no default class: controller ignores it, 404.
ns_, sys_ = cluster()
pods = workload("helloworld", "default", 2, "quay.io/giantswarm/helloworld:0.2.0", [{"containerPort": 8080, "name": "http"}])
svc = service("helloworld", "default", [{"name": "web", "port": 8080, "targetPort": "http"}], selector={"app": "helloworld"},
              cluster_ip="10.96.33.8")
ep = eps_of(pods)
ing = ingress("helloworld", "default", [rule("helloworld.p8ok5.k8s.example.io", [("/", "Prefix", "helloworld", {"number": 8080})])])
ctrl_svc = service("ingress-nginx-controller", "ingress-nginx",
                   [{"name": "http", "port": 80, "targetPort": "http", "nodePort": 31380},
                    {"name": "https", "port": 443, "targetPort": "https", "nodePort": 31443}],
                   selector={"app.kubernetes.io/name": "ingress-nginx"}, type_="LoadBalancer", cluster_ip="10.96.5.5",
                   lb_ingress=["203.0.113.50"])
ctrl_pods = workload("ingress-nginx-controller", "ingress-nginx", 1, "registry.k8s.io/ingress-nginx/controller:v1.9.6",
                     [{"containerPort": 80, "name": "http"}, {"containerPort": 443, "name": "https"}],
                     labels={"app.kubernetes.io/name": "ingress-nginx"}, rs="5c9fd8b6f", placement=["worker-1"],
                     ips=["10.244.1.8"])
ctrl_ports = [{"name": "http", "port": 80, "protocol": "TCP"}, {"name": "https", "port": 443, "protocol": "TCP"}]
ctrl_objs = [ctrl_svc, *ctrl_pods, endpoint_slice("ingress-nginx-controller", "ingress-nginx", "7bq2w", ctrl_ports, eps_of(ctrl_pods)),
             endpoints("ingress-nginx-controller", "ingress-nginx", ctrl_ports, eps_of(ctrl_pods))]
ctrl_inv = cloud("generic", loadBalancers=[{
    "id": "lb-ingress", "kind": "nlb", "scheme": "public", "addresses": ["203.0.113.50"],
    "owner": "service/ingress-nginx/ingress-nginx-controller",
    "listeners": [{"protocol": "TCP", "port": lp, "healthCheck": {"enabled": True, "protocol": "TCP", "port": np_},
                   "backends": [{"target": f"node/{n}", "address": ip, "port": np_, "health": "healthy"} for n, ip, _ in NODES]}
                  for lp, np_ in ((80, 31380), (443, 31443))]}],
    securityGroups=[{"id": "sg-nodes", "attachedTo": [f"node/{n}" for n, _, _ in NODES],
                     "inbound": [{"protocol": "tcp", "ports": "30000-32767", "source": "0.0.0.0/0", "action": "allow"}]}])
case("ingress-no-class", {
    "description": "Ingress without ingressClassName and no default IngressClass: \"Ignoring ingress because of error while "
                   "validating ingress class ... ingress does not contain a valid IngressClass\", 404 "
                   "(https://github.com/giantswarm/helloworld/pull/31)",
    "args": ["diagnose", "helloworld", "-n", "default", "--client", "internet", "--via", "ingress",
             "--host", "helloworld.p8ok5.k8s.example.io", "--observed", "HTTP/1.1 404 Not Found from http://helloworld.p8ok5.k8s.example.io/"],
    "exit": 1, "verdict": "unreachable", "top": "ingress-class-missing",
}).add("default.yaml", [svc, endpoint_slice("helloworld", "default", "q1w2e", [{"name": "web", "port": 8080, "protocol": "TCP"}], ep),
                        endpoints("helloworld", "default", [{"name": "web", "port": 8080, "protocol": "TCP"}], ep), *pods, ing]
      ).add("ingress-nginx.yaml", [*ctrl_objs, ingress_class("nginx")]).add("cluster.yaml", ns_).add("kube-system.yaml", sys_)

# 19. Control: the same Ingress with ingressClassName: nginx.
ns_, sys_ = cluster()
pods = workload("helloworld", "default", 2, "quay.io/giantswarm/helloworld:0.2.0", [{"containerPort": 8080, "name": "http"}])
svc = service("helloworld", "default", [{"name": "web", "port": 8080, "targetPort": "http"}], selector={"app": "helloworld"},
              cluster_ip="10.96.33.8")
ep = eps_of(pods)
ing = ingress("helloworld", "default", [rule("helloworld.p8ok5.k8s.example.io", [("/", "Prefix", "helloworld", {"number": 8080})])],
              cls="nginx", lb=["203.0.113.50"])
case("control-ingress-class-set", {
    "description": "control: ingressClassName: nginx added, the controller accepts the Ingress "
                   "(fix in https://github.com/giantswarm/helloworld/pull/31)",
    "args": ["diagnose", "helloworld", "-n", "default", "--client", "internet", "--via", "ingress",
             "--host", "helloworld.p8ok5.k8s.example.io", "--path", "/"],
    "exit": 0, "verdict": "reachable",
}).add("default.yaml", [svc, endpoint_slice("helloworld", "default", "q1w2e", [{"name": "web", "port": 8080, "protocol": "TCP"}], ep),
                        endpoints("helloworld", "default", [{"name": "web", "port": 8080, "protocol": "TCP"}], ep), *pods, ing]
      ).add("ingress-nginx.yaml", [*ctrl_objs, ingress_class("nginx")]).add("cluster.yaml", ns_).add("kube-system.yaml", sys_
      ).add("inventory.cloud.yaml", ctrl_inv)

# 20. Ingress host mismatch: request Host app.example.com, rule only for api.example.com -> default backend 404.
ns_, sys_ = cluster()
pods = workload("app", "default", 2, "ghcr.io/acme/app:1.9", [{"containerPort": 8080, "name": "http"}])
svc = service("app", "default", [{"name": "http", "port": 80, "targetPort": "http"}], selector={"app": "app"}, cluster_ip="10.96.8.18")
ep = eps_of(pods)
ing = ingress("app", "default", [rule("api.example.com", [("/", "Prefix", "app", {"number": 80})])], cls="nginx", lb=["203.0.113.50"])
case("ingress-host-mismatch", {
    "description": "curl http://app.example.com/ returns \"default backend - 404\": no Ingress rule for that Host "
                   "(https://devopsaitoolkit.com/blog/kubernetes-error-default-backend-404/)",
    "args": ["diagnose", "app", "-n", "default", "--client", "internet", "--via", "ingress",
             "--host", "app.example.com", "--path", "/"],
    "exit": 1, "verdict": "unreachable", "top": "ingress-no-matching-rule",
}).add("default.yaml", [svc, endpoint_slice("app", "default", "z9x8c", [{"name": "http", "port": 8080, "protocol": "TCP"}], ep),
                        endpoints("app", "default", [{"name": "http", "port": 8080, "protocol": "TCP"}], ep), *pods, ing]
      ).add("ingress-nginx.yaml", [*ctrl_objs, ingress_class("nginx", default=True)]).add("cluster.yaml", ns_
      ).add("kube-system.yaml", sys_).add("observations.yaml", obs([
          {"at": AT, "from": "internet", "to": "http://app.example.com/", "result": "http-404",
           "detail": "HTTP/1.1 404 Not Found ... default backend - 404"}]))

# 21. Ingress backend port 8080 while the Service exposes 80 (port number vs targetPort) -> 503.
ns_, sys_ = cluster()
pods = workload("backend", "default", 2, "backend:950", [{"containerPort": 8080}])
svc = service("backend-service", "default", [{"port": 80, "targetPort": 8080}], selector={"app": "backend"}, cluster_ip="10.96.70.2")
ep = eps_of(pods)
ing = ingress("main-ingress", "default", [rule(None, [("/", "Prefix", "backend-service", {"number": 8080})])], cls="nginx",
              lb=["203.0.113.50"])
case("ingress-backend-port-is-targetport", {
    "description": "Ingress backend service port 8080 (the container port) while backend-service exposes port 80: the "
                   "controller has no upstream and answers 503 (https://github.com/kubernetes/ingress-nginx/issues/839 — "
                   "the Ingress port must name the Service port, not the targetPort)",
    "args": ["diagnose", "backend-service", "-n", "default", "--client", "internet", "--via", "ingress"],
    "exit": 1, "verdict": "unreachable", "top": "ingress-backend-missing",
}).add("default.yaml", [svc, endpoint_slice("backend-service", "default", "l0k9j", [{"name": "", "port": 8080, "protocol": "TCP"}], ep),
                        endpoints("backend-service", "default", [{"port": 8080, "protocol": "TCP"}], ep), *pods, ing]
      ).add("ingress-nginx.yaml", [*ctrl_objs, ingress_class("nginx", default=True)]).add("cluster.yaml", ns_).add("kube-system.yaml", sys_)

# 22. Expired certificate on the ALB listener of an Ingress.
ns_, sys_ = cluster(version="v1.28.5-eks-5e0fdde")
pods = workload("portal", "web", 2, "ghcr.io/acme/portal:4.0", [{"containerPort": 8080, "name": "http"}])
svc = service("portal", "web", [{"name": "http", "port": 80, "targetPort": "http", "nodePort": 30480}], selector={"app": "portal"},
              type_="NodePort", cluster_ip="172.20.9.30")
ep = eps_of(pods)
alb_host = "k8s-web-portal-1a2b3c4d5e-123456789.eu-west-1.elb.amazonaws.com"
ing = ingress("portal", "web", [rule("portal.example.com", [("/", "Prefix", "portal", {"number": 80})])], cls="alb",
              lb=[alb_host], annotations={"alb.ingress.kubernetes.io/scheme": "internet-facing",
                                          "alb.ingress.kubernetes.io/certificate-arn": "arn:aws:acm:eu-west-1:123456789012:certificate/4f1e",
                                          "alb.ingress.kubernetes.io/listen-ports": '[{"HTTPS":443}]'})
inv = cloud("eks", loadBalancers=[{
    "id": "k8s-web-portal-1a2b3c4d5e", "kind": "alb", "scheme": "public",
    # the inventory takes addresses, not names: what `dig +short` returns for the ALB name
    "addresses": ["34.248.10.21", "52.49.200.7"], "owner": "ingress/web/portal",
    "listeners": [{"protocol": "HTTPS", "port": 443,
                   "certificate": {"id": "arn:aws:acm:eu-west-1:123456789012:certificate/4f1e", "notAfter": "2026-11-01T23:59:59Z"},
                   "healthCheck": {"enabled": True, "protocol": "HTTP", "port": 30480},
                   "backends": [{"target": "node/worker-1", "address": "10.0.1.11", "port": 30480, "health": "healthy"},
                                {"target": "node/worker-2", "address": "10.0.1.12", "port": 30480, "health": "healthy"},
                                {"target": "node/worker-3", "address": "10.0.1.13", "port": 30480, "health": "healthy"}]}]}],
    securityGroups=[{"id": "sg-alb", "attachedTo": ["lb/k8s-web-portal-1a2b3c4d5e"],
                     "inbound": [{"protocol": "tcp", "ports": "443", "source": "0.0.0.0/0", "action": "allow"}]},
                    {"id": "sg-nodes", "attachedTo": ["node/worker-1", "node/worker-2", "node/worker-3"],
                     "inbound": [{"protocol": "tcp", "ports": "30000-32767", "source": "sg-alb", "action": "allow"},
                                 {"protocol": "tcp", "ports": "30000-32767", "source": "10.0.0.0/16", "action": "allow"}]}])
case("ingress-alb-cert-expired", {
    "description": "browsers get NET::ERR_CERT_DATE_INVALID from the ALB: the ACM certificate on the HTTPS listener expired "
                   "2026-11-01 (https://oneuptime.com/blog/post/2026-01-24-service-unavailable-gateway-errors/view — TLS at the LB)",
    "args": ["diagnose", "portal", "-n", "web", "--client", "internet", "--via", "ingress"],
    "exit": 1, "verdict": "unreachable", "top": "lb-certificate-expired",
}).add("web.yaml", [svc, endpoint_slice("portal", "web", "c5v6b", [{"name": "http", "port": 8080, "protocol": "TCP"}], ep),
                    endpoints("portal", "web", [{"name": "http", "port": 8080, "protocol": "TCP"}], ep), *pods, ing]
      ).add("classes.yaml", [ingress_class("alb", controller="ingress.k8s.aws/alb")]).add("cluster.yaml", ns_
      ).add("kube-system.yaml", sys_).add("inventory.cloud.yaml", inv).add("observations.yaml", obs([
          {"at": AT, "from": "internet", "to": "https://portal.example.com/", "result": "tls-error",
           "detail": "curl: (60) SSL certificate problem: certificate has expired"}]))

# 23. Short Service name from another namespace: NXDOMAIN.
ns_, sys_ = cluster()
pods = workload("rabbitmq", "queue", 1, "rabbitmq:3.12", [{"containerPort": 5672, "name": "amqp"}], ips=["10.244.3.44"],
                placement=["worker-3"])
svc = service("rabbitmq-service", "queue", [{"name": "amqp", "port": 5672, "targetPort": "amqp"}], selector={"app": "rabbitmq"},
              cluster_ip="10.0.147.152")
ep = eps_of(pods)
case("dns-short-name-other-namespace", {
    "description": "worker in namespace celery resolves the short name rabbitmq-service, which lives in namespace queue: "
                   "NXDOMAIN for rabbitmq-service.celery.svc.cluster.local (https://github.com/kubernetes/dns/issues/109)",
    "args": ["diagnose", "rabbitmq-service", "-n", "queue", "--client", "pod/celery/worker", "--via", "dns",
             "--dns-name", "rabbitmq-service", "--observed", "nslookup: can't resolve 'rabbitmq-service'"],
    "exit": 1, "verdict": "unreachable", "top": "dns-name-wrong",
}).add("queue.yaml", [svc, endpoint_slice("rabbitmq-service", "queue", "f4g5h", [{"name": "amqp", "port": 5672, "protocol": "TCP"}], ep),
                      endpoints("rabbitmq-service", "queue", [{"name": "amqp", "port": 5672, "protocol": "TCP"}], ep), *pods]
      ).add("celery.yaml", [toolbox("celery", name="worker", labels={"app": "worker"})]).add("cluster.yaml", ns_
      ).add("kube-system.yaml", sys_).add("observations.yaml", obs([
          {"at": AT, "from": "pod/celery/worker", "to": "rabbitmq-service:5672", "result": "dns-nxdomain",
           "detail": "** server can't find rabbitmq-service.celery.svc.cluster.local: NXDOMAIN"}]))

# 24. Control: the FQDN from the other namespace resolves.
ns_, sys_ = cluster()
pods = workload("rabbitmq", "queue", 1, "rabbitmq:3.12", [{"containerPort": 5672, "name": "amqp"}], ips=["10.244.3.44"],
                placement=["worker-3"])
ep = eps_of(pods)
case("control-dns-fqdn-other-namespace", {
    "description": "control: rabbitmq-service.queue.svc.cluster.local from namespace celery (the working form in "
                   "https://github.com/kubernetes/dns/issues/109)",
    "args": ["diagnose", "rabbitmq-service", "-n", "queue", "--client", "pod/celery/worker", "--via", "dns",
             "--dns-name", "rabbitmq-service.queue.svc.cluster.local"],
    "exit": 0, "verdict": "reachable",
}).add("queue.yaml", [svc, endpoint_slice("rabbitmq-service", "queue", "f4g5h", [{"name": "amqp", "port": 5672, "protocol": "TCP"}], ep),
                      endpoints("rabbitmq-service", "queue", [{"name": "amqp", "port": 5672, "protocol": "TCP"}], ep), *pods]
      ).add("celery.yaml", [toolbox("celery", name="worker", labels={"app": "worker"})]).add("cluster.yaml", ns_
      ).add("kube-system.yaml", sys_).add("observations.yaml", obs([
          {"at": AT, "from": "pod/celery/worker", "to": "rabbitmq-service.queue.svc.cluster.local:5672", "result": "ok"}]))

# 25. CoreDNS in CrashLoopBackOff (loop detected): every name fails.
ns_, sys_ = cluster(dns_ready=False, dns_waiting="CrashLoopBackOff", dns_restarts=38)
sys_.append(event("kube-system", "Pod", "coredns-76f75df574-ax0q", "BackOff", "Back-off restarting failed container coredns in pod "
                  "coredns-76f75df574-ax0q_kube-system", count=160))
pods = workload("web", "default", 2, "nginx:1.25", [{"containerPort": 80, "name": "http"}])
svc = service("web", "default", [{"name": "http", "port": 80, "targetPort": "http"}], selector={"app": "web"}, cluster_ip="10.96.112.48")
ep = eps_of(pods)
case("coredns-crashloop", {
    "description": "coredns pods CrashLoopBackOff ([FATAL] plugin/loop: Loop detected); curl web gets Could not resolve host "
                   "while the ClusterIP works (https://github.com/vmware-archive/kubernetes-archived/issues/321)",
    "args": ["diagnose", "web", "-n", "default", "--client", "pod/default/toolbox", "--via", "dns",
             "--observed", "curl: (6) Could not resolve host: web"],
    "exit": 1, "verdict": "unreachable", "top": "dns-name-wrong",
}).add("default.yaml", [svc, endpoint_slice("web", "default", "n3m4b", [{"name": "http", "port": 80, "protocol": "TCP"}], ep),
                        endpoints("web", "default", [{"name": "http", "port": 80, "protocol": "TCP"}], ep), *pods, toolbox()]
      ).add("cluster.yaml", ns_).add("kube-system.yaml", sys_)

# 26. NodePort Service curled on the Service port 80 instead of the nodePort.
ns_, sys_ = cluster()
pods = workload("nginx", "default", 2, "nginx:1.21", [{"containerPort": 80, "name": "http"}])
svc = service("nginx-nodeport", "default", [{"name": "http", "port": 8080, "targetPort": 80, "nodePort": 30080}],
              selector={"app": "nginx"}, type_="NodePort", cluster_ip="10.96.40.80")
ep = eps_of(pods)
case("nodeport-used-service-port", {
    "description": "curl http://<node-ip>:8080 from outside refused; the NodePort is 30080, port 8080 only exists on the "
                   "ClusterIP (https://k8s-info.pages.dev/docs/core/services — mixing up port, targetPort and nodePort)",
    "args": ["diagnose", "nginx-nodeport", "-n", "default", "--client", "vpc", "--address", "10.0.1.11:8080"],
    "exit": 1, "verdict": "unreachable", "top": "service-port-mismatch",
}).add("default.yaml", [svc, endpoint_slice("nginx-nodeport", "default", "s1d2f", [{"name": "http", "port": 80, "protocol": "TCP"}], ep),
                        endpoints("nginx-nodeport", "default", [{"name": "http", "port": 80, "protocol": "TCP"}], ep), *pods]
      ).add("cluster.yaml", ns_).add("kube-system.yaml", sys_).add("observations.yaml", obs([
          {"at": AT, "from": "vpc", "to": "10.0.1.11:8080/tcp", "result": "refused",
           "detail": "curl: (7) Failed to connect to 10.0.1.11 port 8080: Connection refused"}]))

# 27. ClusterIP curled on the targetPort.
ns_, sys_ = cluster()
pods = workload("payments", "production", 2, "ghcr.io/acme/payments:7.0", [{"containerPort": 8080, "name": "http"}])
svc = service("payments", "production", [{"name": "http", "port": 80, "targetPort": 8080}], selector={"app": "payments"},
              cluster_ip="10.96.18.200")
ep = eps_of(pods)
case("clusterip-used-targetport", {
    "description": "debug pod curls payments.production:8080 (the container port) and gets connection refused/timeout; "
                   "the Service listens on 80 (https://grokdatum.github.io/grokdevops-wiki/library/lessons/kubernetes-services-how-traffic-finds-your-pod)",
    "args": ["diagnose", "payments", "-n", "production", "--client", "pod/production/debug-pod", "--address", "10.96.18.200:8080"],
    "exit": 1, "verdict": "unreachable", "top": "service-port-mismatch",
}).add("production.yaml", [svc, endpoint_slice("payments", "production", "g7h8j", [{"name": "http", "port": 8080, "protocol": "TCP"}], ep),
                           endpoints("payments", "production", [{"name": "http", "port": 8080, "protocol": "TCP"}], ep), *pods,
                           toolbox("production", name="debug-pod")]).add("cluster.yaml", ns_).add("kube-system.yaml", sys_)

# 28. Headless Service expected to map port 80 -> 8080.
ns_, sys_ = cluster()
pods = workload("cassandra", "db", 3, "cassandra:4.1", [{"containerPort": 9042, "name": "cql"}], rs="0")
for i, p in enumerate(pods):
    p["metadata"]["name"] = f"cassandra-{i}"
    p["metadata"]["ownerReferences"][0].update({"kind": "StatefulSet", "name": "cassandra"})
svc = service("cassandra", "db", [{"name": "cql", "port": 9043, "targetPort": 9042}], selector={"app": "cassandra"}, headless=True)
ep = eps_of(pods)
case("headless-port-remap", {
    "description": "headless Service (clusterIP: None) with port 9043 -> targetPort 9042: clients dial cassandra.db:9043 and are "
                   "refused, DNS returns pod IPs and nothing translates the port "
                   "(https://kube-dojo.github.io/prerequisites/kubernetes-basics/module-1.5-services)",
    "args": ["diagnose", "cassandra", "-n", "db", "--client", "pod/db/toolbox", "--via", "dns", "--port", "9043",
             "--observed", "Connection refused: cassandra.db/10.244.1.40:9043"],
    "exit": 1, "verdict": "unreachable", "top": "headless-service-no-vip",
}).add("db.yaml", [svc, endpoint_slice("cassandra", "db", "k1l2z", [{"name": "cql", "port": 9042, "protocol": "TCP"}], ep),
                   endpoints("cassandra", "db", [{"name": "cql", "port": 9042, "protocol": "TCP"}], ep), *pods, toolbox("db")]
      ).add("cluster.yaml", ns_).add("kube-system.yaml", sys_)

# 29. UDP app behind a Service port that defaulted to TCP.
ns_, sys_ = cluster()
pods = workload("syslog", "logging", 1, "balabit/syslog-ng:4.2.0", [{"containerPort": 514, "name": "syslog", "protocol": "UDP"}],
                ips=["10.244.1.60"])
svc = service("syslog", "logging", [{"name": "syslog", "port": 514, "targetPort": 514}], selector={"app": "syslog"},
              cluster_ip="10.96.5.14")
ep = eps_of(pods)
case("udp-service-defaults-tcp", {
    "description": "syslog listens on UDP 514 but the Service port omits protocol (defaults to TCP); UDP log lines vanish "
                   "(https://github.com/swoole/docs/pull/14 — ports default to TCP, UDP must be declared)",
    "args": ["diagnose", "syslog", "-n", "logging", "--client", "pod/logging/toolbox", "--via", "clusterip", "--port", "514",
             "--protocol", "UDP"],
    "exit": 1, "verdict": "unreachable", "top": "protocol-mismatch",
}).add("logging.yaml", [svc, endpoint_slice("syslog", "logging", "u7i8o", [{"name": "syslog", "port": 514, "protocol": "TCP"}], ep),
                        endpoints("syslog", "logging", [{"name": "syslog", "port": 514, "protocol": "TCP"}], ep), *pods,
                        toolbox("logging")]).add("cluster.yaml", ns_).add("kube-system.yaml", sys_)

# 30. internalTrafficPolicy Local, single replica pinned to worker-1, client on worker-2.
ns_, sys_ = cluster()
pods = workload("micronaut-k8-sample", "default", 1, "ghcr.io/acme/micronaut-k8-sample:1.0", [{"containerPort": 8080, "name": "http"}],
                placement=["worker-1"], ips=["10.244.1.77"])
svc = service("micronaut-k8-sample", "default", [{"name": "http", "port": 8080, "targetPort": 8080}],
              selector={"app": "micronaut-k8-sample"}, cluster_ip="10.96.66.6", itp="Local")
ep = eps_of(pods)
case("itp-local-no-endpoint-on-node", {
    "description": "internalTrafficPolicy: Local and the only pod on another node: curl from a pod on worker-2 hangs until "
                   "timeout (https://github.com/kubernetes/kubernetes/issues/121371)",
    "args": ["diagnose", "micronaut-k8-sample", "-n", "default", "--client", "pod/default/toolbox", "--via", "dns",
             "--observed", "curl: (28) Failed to connect to micronaut-k8-sample port 8080 after 129261 ms: Couldn't connect to server"],
    "exit": 1, "verdict": "unreachable", "top": "itp-local-no-local-endpoint",
}).add("default.yaml", [svc, endpoint_slice("micronaut-k8-sample", "default", "e3r4t", [{"name": "http", "port": 8080, "protocol": "TCP"}], ep),
                        endpoints("micronaut-k8-sample", "default", [{"name": "http", "port": 8080, "protocol": "TCP"}], ep), *pods,
                        toolbox()]).add("cluster.yaml", ns_).add("kube-system.yaml", sys_)

# 31. Control: internalTrafficPolicy Local on a DaemonSet (one endpoint per node).
ns_, sys_ = cluster()
pods = workload("node-cache", "kube-system", 3, "registry.k8s.io/dns/k8s-dns-node-cache:1.22.28",
                [{"containerPort": 8080, "name": "http"}], rs="ds")
for p in pods:
    p["metadata"]["ownerReferences"][0].update({"kind": "DaemonSet", "name": "node-cache"})
svc = service("node-cache", "kube-system", [{"name": "http", "port": 8080, "targetPort": "http"}], selector={"app": "node-cache"},
              cluster_ip="10.96.66.7", itp="Local")
ep = eps_of(pods)
case("control-itp-local-daemonset", {
    "description": "control: internalTrafficPolicy: Local backed by a DaemonSet, so every node has a local endpoint "
                   "(the mitigation discussed in https://github.com/kubernetes/kubernetes/issues/134895)",
    "args": ["diagnose", "node-cache", "-n", "kube-system", "--client", "pod/default/toolbox", "--via", "clusterip"],
    "exit": 0, "verdict": "reachable",
}).add("node-cache.yaml", [svc, endpoint_slice("node-cache", "kube-system", "y6u7i", [{"name": "http", "port": 8080, "protocol": "TCP"}], ep),
                           endpoints("node-cache", "kube-system", [{"name": "http", "port": 8080, "protocol": "TCP"}], ep), *pods]
      ).add("default.yaml", [toolbox()]).add("cluster.yaml", ns_).add("kube-system.yaml", sys_)

# 32. Selector-less Service for an external database, no Endpoints created.
ns_, sys_ = cluster()
svc = service("legacy-db", "default", [{"name": "mysql", "port": 3306, "targetPort": 3306}], cluster_ip="10.96.33.6")
case("selectorless-no-endpoints", {
    "description": "Service without selector meant to front an external MySQL; no Endpoints object was created so connections "
                   "are refused (http://154.8.183.92:9080/jie/test/src/170c0082b9bacd7ee4b20497c79e7dbace49e74b/%e4%ba%91%e5%8e%9f%e7%94%9f/K8S/7.Service.md — "
                   "without a selector no endpoint object is generated)",
    "args": ["diagnose", "legacy-db", "-n", "default", "--client", "pod/default/toolbox", "--via", "clusterip"],
    "exit": 1, "verdict": "unreachable", "top": "selector-less-without-endpoints",
}).add("default.yaml", [svc, toolbox()]).add("cluster.yaml", ns_).add("kube-system.yaml", sys_)

# 33. Control: the same Service with a hand-written EndpointSlice.
ns_, sys_ = cluster()
sl = endpoint_slice("legacy-db", "default", "manual", [{"name": "mysql", "port": 3306, "protocol": "TCP"}], [])
sl["metadata"]["name"] = "legacy-db-1"
sl["metadata"]["labels"] = {"kubernetes.io/service-name": "legacy-db", "endpointslice.kubernetes.io/managed-by": "staff"}
del sl["metadata"]["ownerReferences"]
sl["endpoints"] = [{"addresses": ["10.0.5.20"], "conditions": {"ready": True}}]
case("control-selectorless-manual-slice", {
    "description": "control: selector-less Service with a manually managed EndpointSlice to 10.0.5.20:3306 "
                   "(the documented pattern for Services without selectors; https://devopsboys.com/blog/what-is-kubernetes-endpoints-explained-2026)",
    "args": ["diagnose", "legacy-db", "-n", "default", "--client", "pod/default/toolbox", "--via", "clusterip"],
    "exit": 0, "verdict": "reachable",
}).add("default.yaml", [svc, sl, toolbox()]).add("cluster.yaml", ns_).add("kube-system.yaml", sys_)

# 34. Pod cannot reach itself through its own Service (hairpin off on the bridge).
ns_, sys_ = cluster()
pods = workload("zookeeper", "default", 1, "zookeeper:3.9", [{"containerPort": 2181, "name": "client"}], ips=["10.244.1.66"],
                placement=["worker-1"])
svc = service("zookeeper", "default", [{"name": "client", "port": 2181, "targetPort": 2181}], selector={"app": "zookeeper"},
              cluster_ip="10.96.21.81")
ep = eps_of(pods)
zk = pods[0]["metadata"]["name"]
case("hairpin-self-via-service", {
    "description": "the only zookeeper pod connects to its own Service IP and times out while other pods succeed: the bridge "
                   "port has hairpin_mode 0 (https://github.com/kubernetes/kubernetes/issues/20475, "
                   "https://github.com/kubernetes/kubernetes/issues/13375)",
    "args": ["diagnose", "zookeeper", "-n", "default", "--client", f"pod/default/{zk}", "--via", "clusterip"],
    "exit": 1, "verdict": "unreachable", "top": "hairpin-disabled",
}).add("default.yaml", [svc, endpoint_slice("zookeeper", "default", "o9p0a", [{"name": "client", "port": 2181, "protocol": "TCP"}], ep),
                        endpoints("zookeeper", "default", [{"name": "client", "port": 2181, "protocol": "TCP"}], ep), *pods, toolbox()]
      ).add("cluster.yaml", ns_).add("kube-system.yaml", sys_).add("observations.yaml", obs([
          {"at": AT, "from": f"pod/default/{zk}", "to": "10.96.21.81:2181/tcp", "result": "timeout",
           "detail": "nc -z -v -w5 10.96.21.81 2181: Connection timed out"},
          {"at": AT, "from": "pod/default/toolbox", "to": "10.96.21.81:2181/tcp", "result": "ok"}]))

# 35. Endpoints only on a node that went NotReady (kubelet stopped posting status).
ns_, sys_ = cluster()
ns_[2] = node("worker-3", "10.0.1.13", ready=False, pod_cidr="10.244.3.0/24")
pods = workload("reports", "default", 1, "ghcr.io/acme/reports:2.2", [{"containerPort": 8080, "name": "http"}],
                placement=["worker-3"], ips=["10.244.3.51"])
svc = service("reports", "default", [{"name": "http", "port": 80, "targetPort": "http"}], selector={"app": "reports"},
              cluster_ip="10.96.51.3")
ep = eps_of(pods)
case("endpoint-on-notready-node", {
    "description": "the node running the only reports pod went NotReady (Kubelet stopped posting node status) after a reboot; "
                   "the Service times out though the pod still shows Running (https://github.com/Azure/acs-engine/issues/531)",
    "args": ["diagnose", "reports", "-n", "default", "--client", "pod/default/toolbox", "--via", "clusterip"],
    "exit": 1, "verdict": "unreachable", "top": "endpoints-on-unready-nodes",
}).add("default.yaml", [svc, endpoint_slice("reports", "default", "w3e4r", [{"name": "http", "port": 8080, "protocol": "TCP"}], ep),
                        endpoints("reports", "default", [{"name": "http", "port": 8080, "protocol": "TCP"}], ep), *pods, toolbox()]
      ).add("cluster.yaml", ns_).add("kube-system.yaml", sys_)

# 36. Control: plain healthy LoadBalancer with a complete cloud inventory.
ns_, sys_ = cluster(version="v1.28.5-eks-5e0fdde")
pods = workload("shop", "default", 3, "ghcr.io/acme/shop:6.1", [{"containerPort": 8080, "name": "http"}])
nlb = "a1b2c3d4e5f6-1234567890.elb.eu-west-1.amazonaws.com"
svc = service("shop", "default", [{"name": "http", "port": 80, "targetPort": "http", "nodePort": 31555}], selector={"app": "shop"},
              type_="LoadBalancer", cluster_ip="172.20.55.5", lb_ingress=[nlb],
              annotations={"service.beta.kubernetes.io/aws-load-balancer-type": "nlb"})
ep = eps_of(pods)
inv = cloud("eks", loadBalancers=[{
    "id": "a1b2c3d4e5f6", "kind": "nlb", "scheme": "public", "addresses": ["3.248.77.10", "54.77.1.90"], "owner": "service/default/shop",
    "listeners": [{"protocol": "TCP", "port": 80, "healthCheck": {"enabled": True, "protocol": "TCP", "port": 31555},
                   "backends": [{"target": f"node/{n}", "address": ip, "port": 31555, "health": "healthy"} for n, ip, _ in NODES]}]}],
    securityGroups=[{"id": "sg-nodes", "attachedTo": ["node/worker-1", "node/worker-2", "node/worker-3"],
                     "inbound": [{"protocol": "tcp", "ports": "31555", "source": "0.0.0.0/0", "action": "allow"},
                                 {"protocol": "all", "source": "sg-nodes", "action": "allow"}]}])
case("control-nlb-healthy", {
    "description": "control: NLB in front of a Cluster-policy LoadBalancer Service, all targets healthy, node SG allows the "
                   "nodePort (https://k8s.guru/docs/networking/services/loadbalancer — the working baseline)",
    "args": ["diagnose", "shop", "-n", "default", "--client", "internet", "--via", "loadbalancer"],
    "exit": 0, "verdict": "reachable",
}).add("default.yaml", [svc, endpoint_slice("shop", "default", "m1n2b", [{"name": "http", "port": 8080, "protocol": "TCP"}], ep),
                        endpoints("shop", "default", [{"name": "http", "port": 8080, "protocol": "TCP"}], ep), *pods]
      ).add("cluster.yaml", ns_).add("kube-system.yaml", sys_).add("inventory.cloud.yaml", inv)

# 37. GKE/any cloud: node firewall lacks the LB health-check ranges, every backend unhealthy.
ns_, sys_ = cluster()
pods = workload("store", "default", 2, "ghcr.io/acme/store:1.4", [{"containerPort": 8080, "name": "http"}])
svc = service("store", "default", [{"name": "http", "port": 80, "targetPort": "http", "nodePort": 30606}], selector={"app": "store"},
              type_="LoadBalancer", cluster_ip="10.96.61.6", lb_ingress=["34.120.10.20"])
ep = eps_of(pods)
inv = cloud("gke", loadBalancers=[{
    "id": "a8f1e2d3c4b5", "kind": "nlb", "scheme": "public", "addresses": ["34.120.10.20"], "owner": "service/default/store",
    "listeners": [{"protocol": "TCP", "port": 80, "healthCheck": {"enabled": True, "protocol": "HTTP", "port": 10256},
                   "backends": [{"target": f"node/{n}", "address": ip, "port": 80, "health": "unhealthy"} for n, ip, _ in NODES]}]}],
    securityGroups=[{"id": "fw-gke-nodes", "attachedTo": ["node/worker-1", "node/worker-2", "node/worker-3"],
                     "inbound": [{"protocol": "tcp", "ports": "22", "source": "35.235.240.0/20", "action": "allow"},
                                 {"protocol": "all", "source": "10.0.0.0/8", "action": "allow"}]}])
case("gke-firewall-health-check", {
    "description": "LoadBalancer on GKE: all instances unhealthy because the custom node firewall drops the health-check ranges "
                   "130.211.0.0/22 and 35.191.0.0/16 and the client range (https://hackgptdeveloper.github.io/2025/11/12/common-cause-of-problems-in-kubernetes.html "
                   "— security group misconfigurations blocking health checks or client connections)",
    "args": ["diagnose", "store", "-n", "default", "--client", "internet", "--via", "loadbalancer"],
    "exit": 1, "verdict": "unreachable", "top": "lb-sg-blocks-backend",
}).add("default.yaml", [svc, endpoint_slice("store", "default", "j5k6l", [{"name": "http", "port": 8080, "protocol": "TCP"}], ep),
                        endpoints("store", "default", [{"name": "http", "port": 8080, "protocol": "TCP"}], ep), *pods]
      ).add("cluster.yaml", ns_).add("kube-system.yaml", sys_).add("inventory.cloud.yaml", inv)


# 38. EKS NLB with target-type ip and security groups for pods: the pod SG omits the targetPort.
ns_, sys_ = cluster(version="v1.28.5-eks-5e0fdde")
pods = workload("api", "prod", 2, "ghcr.io/acme/api:9.3", [{"containerPort": 8443, "name": "https"}], ips=["10.0.1.201", "10.0.1.202"])
nlb = "k8s-prod-api-0a1b2c3d4e-0123456789abcdef.elb.eu-west-1.amazonaws.com"
svc = service("api", "prod", [{"name": "https", "port": 443, "targetPort": "https", "nodePort": 31443}], selector={"app": "api"},
              type_="LoadBalancer", cluster_ip="172.20.40.4", lb_ingress=[nlb],
              annotations={"service.beta.kubernetes.io/aws-load-balancer-type": "external",
                           "service.beta.kubernetes.io/aws-load-balancer-nlb-target-type": "ip",
                           "service.beta.kubernetes.io/aws-load-balancer-scheme": "internet-facing"})
ep = eps_of(pods)
inv = cloud("eks", loadBalancers=[{
    "id": "k8s-prod-api-0a1b2c3d4e", "kind": "nlb", "scheme": "public", "addresses": ["18.200.10.4", "34.250.3.9"],
    "owner": "service/prod/api",
    "listeners": [{"protocol": "TCP", "port": 443, "healthCheck": {"enabled": True, "protocol": "TCP", "port": 8443},
                   "backends": [{"target": f"pod/prod/{p['metadata']['name']}", "address": p["status"]["podIP"], "port": 8443,
                                 "health": "unhealthy"} for p in pods]}]}],
    securityGroups=[{"id": "sg-pods-api", "attachedTo": [f"eni/{p['status']['podIP']}" for p in pods],
                     "inbound": [{"protocol": "tcp", "ports": "8080", "source": "0.0.0.0/0", "action": "allow"}]},
                    {"id": "sg-nodes", "attachedTo": [f"node/{n}" for n, _, _ in NODES],
                     "inbound": [{"protocol": "tcp", "ports": "30000-32767", "source": "0.0.0.0/0", "action": "allow"}]}])
case("nlb-ip-targets-pod-sg", {
    "description": "NLB with target-type ip and SecurityGroupPolicy on the pods: targets unhealthy and clients time out because "
                   "the pod security group opens 8080, not the targetPort 8443 (https://charlesxu.io/eks-sg — SG rules the "
                   "controller manages for NLB backends)",
    "args": ["diagnose", "api", "-n", "prod", "--client", "internet", "--via", "loadbalancer"],
    "exit": 1, "verdict": "unreachable", "top": "lb-sg-blocks-backend",
}).add("prod.yaml", [svc, endpoint_slice("api", "prod", "s8d7f", [{"name": "https", "port": 8443, "protocol": "TCP"}], ep),
                     endpoints("api", "prod", [{"name": "https", "port": 8443, "protocol": "TCP"}], ep), *pods]
      ).add("cluster.yaml", ns_).add("kube-system.yaml", sys_).add("inventory.cloud.yaml", inv)

# 39. Ingress pathType Exact /weatherforecast, client requests /weatherforecast/today -> 404.
ns_, sys_ = cluster()
pods = workload("weatherforecast", "default", 2, "ghcr.io/acme/weatherforecast:1.0", [{"containerPort": 9080, "name": "http"}])
svc = service("weatherforecast", "default", [{"name": "http", "port": 9080, "targetPort": "http"}],
              selector={"app": "weatherforecast"}, cluster_ip="10.96.90.80")
ep = eps_of(pods)
ing = ingress("weatherforecast-ingress", "default",
              [rule("weatherforecast.example.com", [("/weatherforecast", "Exact", "weatherforecast", {"number": 9080})])],
              cls="nginx", lb=["203.0.113.50"])
wf_objs = [svc, endpoint_slice("weatherforecast", "default", "r4t5y", [{"name": "http", "port": 9080, "protocol": "TCP"}], ep),
           endpoints("weatherforecast", "default", [{"name": "http", "port": 9080, "protocol": "TCP"}], ep), *pods, ing]
case("ingress-exact-path-subpath", {
    "description": "Ingress path /weatherforecast with pathType Exact; requests to /weatherforecast/today get 404 from the "
                   "controller (https://github.com/nginx/kubernetes-ingress/issues/1567)",
    "args": ["diagnose", "weatherforecast", "-n", "default", "--client", "internet", "--via", "ingress",
             "--host", "weatherforecast.example.com", "--path", "/weatherforecast/today"],
    "exit": 1, "verdict": "unreachable", "top": "ingress-no-matching-rule",
}).add("default.yaml", wf_objs).add("ingress-nginx.yaml", [*ctrl_objs, ingress_class("nginx", default=True)]
      ).add("cluster.yaml", ns_).add("kube-system.yaml", sys_).add("inventory.cloud.yaml", ctrl_inv)

# 40. Control: the exact path itself.
ns_, sys_ = cluster()
case("control-ingress-exact-path", {
    "description": "control: GET /weatherforecast matches the Exact rule (https://github.com/nginx/kubernetes-ingress/issues/1567)",
    "args": ["diagnose", "weatherforecast", "-n", "default", "--client", "internet", "--via", "ingress",
             "--host", "weatherforecast.example.com", "--path", "/weatherforecast"],
    "exit": 0, "verdict": "reachable",
}).add("default.yaml", wf_objs).add("ingress-nginx.yaml", [*ctrl_objs, ingress_class("nginx", default=True)]
      ).add("cluster.yaml", ns_).add("kube-system.yaml", sys_).add("inventory.cloud.yaml", ctrl_inv)

# 41. default-deny egress in the client namespace also blocks DNS.
ns_, sys_ = cluster()
pods = workload("catalog", "shop", 2, "ghcr.io/acme/catalog:3.3", [{"containerPort": 8080, "name": "http"}])
svc = service("catalog", "shop", [{"name": "http", "port": 80, "targetPort": "http"}], selector={"app": "catalog"}, cluster_ip="10.96.24.8")
ep = eps_of(pods)
deny = netpol("default-deny", "frontend", {}, ingress=None, egress=None, types=("Ingress", "Egress"))
allow = netpol("allow-catalog", "frontend", {"matchLabels": {"app": "storefront"}},
               egress=[{"to": [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "shop"}},
                                "podSelector": {"matchLabels": {"app": "catalog"}}}],
                        "ports": [{"protocol": "TCP", "port": 8080}]}], types=("Egress",))
case("netpol-egress-deny-blocks-dns", {
    "description": "default deny-all ingress+egress in namespace frontend plus an egress allow to the catalog pods only: the "
                   "storefront cannot resolve catalog.shop (no egress to kube-dns on 53) "
                   "(https://github.com/projectcalico/calico/pull/2687 — default deny of ingress and egress)",
    "args": ["diagnose", "catalog", "-n", "shop", "--client", "pod/frontend/storefront", "--via", "dns",
             "--dns-name", "catalog.shop", "--observed", ";; connection timed out; no servers could be reached"],
    "exit": 1, "verdict": "unreachable", "top": "network-policy-denies",
}).add("shop.yaml", [namespace("shop"), svc,
                     endpoint_slice("catalog", "shop", "b2n3m", [{"name": "http", "port": 8080, "protocol": "TCP"}], ep),
                     endpoints("catalog", "shop", [{"name": "http", "port": 8080, "protocol": "TCP"}], ep), *pods]
      ).add("frontend.yaml", [namespace("frontend"), deny, allow,
                              toolbox("frontend", name="storefront", labels={"app": "storefront"})]
            ).add("cluster.yaml", ns_).add("kube-system.yaml", sys_)

# 42. Policy admits the ingress controller by namespace label the namespace does not carry.
ns_, sys_ = cluster()
pods = workload("app", "team-a", 2, "ghcr.io/acme/app:1.2", [{"containerPort": 8080, "name": "http"}])
svc = service("app", "team-a", [{"name": "http", "port": 80, "targetPort": "http"}], selector={"app": "app"}, cluster_ip="10.96.71.1")
ep = eps_of(pods)
pol = netpol("allow-ingress-controller", "team-a", {},
             ingress=[{"from": [{"namespaceSelector": {"matchLabels": {"name": "ingress-controllers"}}}]}])
ing = ingress("app", "team-a", [rule("app.team-a.example.com", [("/", "Prefix", "app", {"number": 80})])], cls="nginx",
              lb=["203.0.113.50"])
ns_ing = namespace("ingress-nginx")
case("netpol-namespace-label-missing", {
    "description": "namespace default policy admits only traffic from namespaces labelled name=ingress-controllers; the "
                   "controller's namespace has no such label, so every request through the Ingress gets 504 "
                   "(https://github.com/ministryofjustice/cloud-platform/issues/371)",
    "args": ["diagnose", "app", "-n", "team-a", "--client", "internet", "--via", "ingress",
             "--host", "app.team-a.example.com", "--path", "/",
             "--observed", "HTTP/1.1 504 Gateway Time-out nginx"],
    "exit": 1, "verdict": "unreachable", "top": "network-policy-denies",
}).add("team-a.yaml", [namespace("team-a"), svc,
                       endpoint_slice("app", "team-a", "q5w6e", [{"name": "http", "port": 8080, "protocol": "TCP"}], ep),
                       endpoints("app", "team-a", [{"name": "http", "port": 8080, "protocol": "TCP"}], ep), *pods, pol, ing]
      ).add("ingress-nginx.yaml", [ns_ing, *ctrl_objs, ingress_class("nginx", default=True)]
            ).add("cluster.yaml", ns_).add("kube-system.yaml", sys_).add("inventory.cloud.yaml", ctrl_inv)

# 43. Service looked up in the wrong namespace.
ns_, sys_ = cluster()
pods = workload("grafana", "monitoring", 1, "grafana/grafana:10.4.2", [{"containerPort": 3000, "name": "http"}], ips=["10.244.2.33"])
svc = service("grafana", "monitoring", [{"name": "http", "port": 80, "targetPort": "http"}], selector={"app": "grafana"},
              cluster_ip="10.96.30.0")
ep = eps_of(pods)
case("service-wrong-namespace", {
    "description": "kubectl port-forward svc/grafana fails with Error from server (NotFound): services \"grafana\" not found — "
                   "it lives in monitoring, not default (https://ki-auftritt.de/blog/kubernetes-services-networking-dns — namespace assumptions)",
    "args": ["diagnose", "grafana", "-n", "default", "--client", "pod/default/toolbox"],
    "exit": 1, "verdict": "unreachable", "top": "service-not-found",
}).add("monitoring.yaml", [svc, endpoint_slice("grafana", "monitoring", "g1h2j", [{"name": "http", "port": 3000, "protocol": "TCP"}], ep),
                           endpoints("grafana", "monitoring", [{"name": "http", "port": 3000, "protocol": "TCP"}], ep), *pods]
      ).add("default.yaml", [toolbox()]).add("cluster.yaml", ns_).add("kube-system.yaml", sys_)

# 44. nginx reconfigured to listen on 8080; the manifest still says 80 and there is no readiness probe.
ns_, sys_ = cluster()
pods = workload("web", "default", 2, "nginxinc/nginx-unprivileged:1.25", [{"containerPort": 80, "name": "http"}])
svc = service("web", "default", [{"name": "http", "port": 80, "targetPort": "http"}], selector={"app": "web"}, cluster_ip="10.96.100.1")
ep = eps_of(pods)
case("container-not-listening", {
    "description": "switched to nginx-unprivileged (listens on 8080) but containerPort/targetPort stay 80 and no readiness probe: "
                   "pods Ready, curl to the pod IP on 80 refused (https://tastethelinux.com/fix-nginx-503-service-temporarily-unavailable-in-kubernetes-and-linux/, "
                   "https://github.com/kubernetes/website/pull/26790 — containerPort is informational, the app decides)",
    "args": ["diagnose", "web", "-n", "default", "--client", "pod/default/toolbox", "--via", "clusterip"],
    "exit": 1, "verdict": "unreachable", "top": "container-not-listening",
}).add("default.yaml", [svc, endpoint_slice("web", "default", "p0o9i", [{"name": "http", "port": 80, "protocol": "TCP"}], ep),
                        endpoints("web", "default", [{"name": "http", "port": 80, "protocol": "TCP"}], ep), *pods, toolbox()]
      ).add("cluster.yaml", ns_).add("kube-system.yaml", sys_).add("observations.yaml", obs([
          {"at": AT, "from": "pod/default/toolbox", "to": f"{p['status']['podIP']}:80/tcp", "result": "refused",
           "detail": f"curl: (7) Failed to connect to {p['status']['podIP']} port 80 after 0 ms: Connection refused"} for p in pods]))

# 45. Ingress names the Service port by a name the Service does not have.
ns_, sys_ = cluster()
pods = workload("docs", "default", 2, "ghcr.io/acme/docs:0.9", [{"containerPort": 8000, "name": "web"}])
svc = service("docs", "default", [{"name": "web", "port": 80, "targetPort": "web"}], selector={"app": "docs"}, cluster_ip="10.96.80.8")
ep = eps_of(pods)
ing = ingress("docs", "default", [rule("docs.example.com", [("/", "Prefix", "docs", {"name": "http"})])], cls="nginx", lb=["203.0.113.50"])
case("ingress-port-name-missing", {
    "description": "Ingress backend port name http while the Service port is named web: no endpoints for the upstream, 503 "
                   "(https://github.com/kubernetes/ingress-nginx/pull/846 — Service ports are matched by name)",
    "args": ["diagnose", "docs", "-n", "default", "--client", "internet", "--via", "ingress", "--host", "docs.example.com",
             "--path", "/", "--observed", "503 Service Temporarily Unavailable nginx"],
    "exit": 1, "verdict": "unreachable", "top": "ingress-backend-missing",
}).add("default.yaml", [svc, endpoint_slice("docs", "default", "u1i2o", [{"name": "web", "port": 8000, "protocol": "TCP"}], ep),
                        endpoints("docs", "default", [{"name": "web", "port": 8000, "protocol": "TCP"}], ep), *pods, ing]
      ).add("ingress-nginx.yaml", [*ctrl_objs, ingress_class("nginx", default=True)]).add("cluster.yaml", ns_
      ).add("kube-system.yaml", sys_).add("inventory.cloud.yaml", ctrl_inv)

# 46. Control: eTP Local NodePort reached on the node that runs the pod.
ns_, sys_ = cluster()
pods = workload("nginx", "default", 1, "nginx:1.25", [{"containerPort": 80, "name": "http"}], placement=["worker-1"],
                ips=["10.244.1.30"])
svc = service("nginx-ext", "default", [{"port": 80, "targetPort": 80, "nodePort": 32204}], selector={"app": "nginx"},
              type_="NodePort", etp="Local", cluster_ip="10.108.2.154", labels={"app": "nginx"})
ep = eps_of(pods)
case("control-etp-local-nodeport-own-node", {
    "description": "control: eTP Local NodePort curled on the node that runs nginx works (https://github.com/weaveworks/weave/issues/3568)",
    "args": ["diagnose", "nginx-ext", "-n", "default", "--client", "vpc", "--via", "nodeport", "--address", "10.0.1.11:32204"],
    "exit": 0, "verdict": "reachable",
}).add("default.yaml", [svc, endpoint_slice("nginx-ext", "default", "d3f4g", [{"name": "", "port": 80, "protocol": "TCP"}], ep),
                        endpoints("nginx-ext", "default", [{"port": 80, "protocol": "TCP"}], ep), *pods]
      ).add("cluster.yaml", ns_).add("kube-system.yaml", sys_)

# 47. Control: a NetworkPolicy that isolates other pods (the database) only.
ns_, sys_ = cluster()
pods = workload("web", "default", 2, "nginx:1.25", [{"containerPort": 80, "name": "http"}])
svc = service("web", "default", [{"name": "http", "port": 80, "targetPort": "http"}], selector={"app": "web"}, cluster_ip="10.96.112.48")
ep = eps_of(pods)
pol = netpol("db-only-from-api", "default", {"matchLabels": {"app": "db"}},
             ingress=[{"from": [{"podSelector": {"matchLabels": {"app": "api"}}}], "ports": [{"protocol": "TCP", "port": 5432}]}])
case("control-netpol-other-pods", {
    "description": "control: the only NetworkPolicy selects app=db; web is not isolated "
                   "(https://github.com/ahmetb/kubernetes-network-policy-recipes/issues/12 — policies only affect the pods they select)",
    "args": ["diagnose", "web", "-n", "default", "--client", "pod/default/toolbox", "--via", "clusterip"],
    "exit": 0, "verdict": "reachable",
}).add("default.yaml", [svc, endpoint_slice("web", "default", "n3m4b", [{"name": "http", "port": 80, "protocol": "TCP"}], ep),
                        endpoints("web", "default", [{"name": "http", "port": 80, "protocol": "TCP"}], ep), *pods, toolbox(), pol]
      ).add("cluster.yaml", ns_).add("kube-system.yaml", sys_)

# 48. Control: headless Service used the intended way (pod port via DNS).
ns_, sys_ = cluster()
pods = workload("cassandra", "db", 3, "cassandra:4.1", [{"containerPort": 9042, "name": "cql"}], rs="0")
for i, p in enumerate(pods):
    p["metadata"]["name"] = f"cassandra-{i}"
    p["metadata"]["ownerReferences"][0].update({"kind": "StatefulSet", "name": "cassandra"})
svc = service("cassandra", "db", [{"name": "cql", "port": 9042, "targetPort": 9042}], selector={"app": "cassandra"}, headless=True)
ep = eps_of(pods)
case("control-headless-pod-port", {
    "description": "control: headless Service cassandra with port = targetPort 9042, clients dial cassandra.db:9042 "
                   "(https://kube-dojo.github.io/prerequisites/kubernetes-basics/module-1.5-services)",
    "args": ["diagnose", "cassandra", "-n", "db", "--client", "pod/db/toolbox", "--via", "dns", "--port", "9042"],
    "exit": 0, "verdict": "reachable",
}).add("db.yaml", [svc, endpoint_slice("cassandra", "db", "k1l2z", [{"name": "cql", "port": 9042, "protocol": "TCP"}], ep),
                   endpoints("cassandra", "db", [{"name": "cql", "port": 9042, "protocol": "TCP"}], ep), *pods, toolbox("db")]
      ).add("cluster.yaml", ns_).add("kube-system.yaml", sys_)


# 49. AWS NLB (instance targets, client IP preserved): a pod on the backend's node calls the NLB and times out.
ns_, sys_ = cluster(version="v1.28.5-eks-5e0fdde")
pods = workload("cas-test", "default", 1, "ghcr.io/acme/cas:6.6", [{"containerPort": 443, "name": "https"}], placement=["worker-1"],
                ips=["10.244.1.90"])
nlb = "a9f8e7d6c5b4a3-0123456789.elb.us-east-1.amazonaws.com"
svc = service("cas-test", "default", [{"name": "external", "port": 443, "targetPort": 443, "nodePort": 30443}],
              selector={"app": "cas-test"}, type_="LoadBalancer", cluster_ip="172.20.4.43", lb_ingress=[nlb],
              labels={"app": "cas-test"},
              annotations={"service.beta.kubernetes.io/aws-load-balancer-type": "nlb",
                           "service.beta.kubernetes.io/aws-load-balancer-internal": "0.0.0.0/0",
                           "service.beta.kubernetes.io/aws-load-balancer-backend-protocol": "tcp"})
ep = eps_of(pods)
client = toolbox(node_name="worker-1", ip="10.244.1.91", name="curl-client", labels={"run": "curl-client"})
# kops with an overlay CNI: pod traffic leaving the cluster is masqueraded to the node address
inv = cloud("eks", cluster={"networkModel": "tunnel"}, loadBalancers=[{
    "id": "a9f8e7d6c5b4a3", "kind": "nlb", "scheme": "private", "addresses": ["10.0.2.40", "10.0.3.40"],
    "owner": "service/default/cas-test",
    "listeners": [{"protocol": "TCP", "port": 443, "healthCheck": {"enabled": True, "protocol": "TCP", "port": 30443},
                   "backends": [{"target": f"node/{n}", "address": ip, "port": 30443, "health": "healthy"} for n, ip, _ in NODES]}]}],
    securityGroups=[{"id": "sg-nodes", "attachedTo": [f"node/{n}" for n, _, _ in NODES],
                     "inbound": [{"protocol": "tcp", "ports": "30000-32767", "source": "10.0.0.0/16", "action": "allow"},
                                 {"protocol": "all", "source": "sg-nodes", "action": "allow"}]}])
case("nlb-client-ip-preservation-loopback", {
    "description": "internal NLB (instance targets, client IP preservation): connections from a container on the same node as "
                   "the backend time out when the NLB picks that node, other sources work "
                   "(https://github.com/kubernetes/kubernetes/issues/66796, https://github.com/kubernetes/cloud-provider-aws/issues/1160)",
    "args": ["diagnose", "cas-test", "-n", "default", "--client", "pod/default/curl-client", "--via", "loadbalancer"],
    "exit": 1, "top": "lb-loopback",
}).add("default.yaml", [svc, endpoint_slice("cas-test", "default", "e4r5t", [{"name": "external", "port": 443, "protocol": "TCP"}], ep),
                        endpoints("cas-test", "default", [{"name": "external", "port": 443, "protocol": "TCP"}], ep), *pods, client]
      ).add("cluster.yaml", ns_).add("kube-system.yaml", sys_).add("inventory.cloud.yaml", inv)

# 50. IPVS kube-proxy, eTP Local LoadBalancer IP (MetalLB) called from a pod on a node without an endpoint.
def etp_local_lb(mode, version="v1.29.4"):
    ns_, sys_ = cluster(mode=mode, version=version)
    pods = workload("mconnect", "default", 1, "registry.nordix.org/cloud-native/mconnect:v1.2",
                    [{"containerPort": 5001, "name": "mconnect"}], placement=["worker-1"], ips=["10.244.1.28"])
    svc = service("mconnect-local", "default", [{"name": "mconnect", "port": 5001, "targetPort": 5001, "nodePort": 32713}],
                  selector={"app": "mconnect"}, type_="LoadBalancer", etp="Local", cluster_ip="10.96.52.1",
                  lb_ingress=["192.168.1.240"], hc_node_port=31990)
    ep = eps_of(pods)
    objs = [svc, endpoint_slice("mconnect-local", "default", "m5n6b", [{"name": "mconnect", "port": 5001, "protocol": "TCP"}], ep),
            endpoints("mconnect-local", "default", [{"name": "mconnect", "port": 5001, "protocol": "TCP"}], ep), *pods,
            toolbox(node_name="worker-2", ip="10.244.2.31", name="telnet", labels={"run": "telnet"})]
    return ns_, sys_, objs

ns_, sys_, objs = etp_local_lb("ipvs", "v1.18.3")
case("ipvs-etp-local-lb-ip-from-pod", {
    "description": "kube-proxy IPVS on v1.18, LoadBalancer with externalTrafficPolicy: Local: telnet EXTERNAL-IP from a pod on "
                   "another node fails, the IPVS virtual server for the LB IP has no real servers there "
                   "(https://github.com/kubernetes/kubernetes/issues/92857, https://github.com/kubernetes/kubernetes/issues/115931)",
    "args": ["diagnose", "mconnect-local", "-n", "default", "--client", "pod/default/telnet", "--via", "loadbalancer"],
    "exit": 1, "verdict": "unreachable", "top": "etp-local-in-cluster-lb-access",
}).add("default.yaml", objs).add("cluster.yaml", ns_).add("kube-system.yaml", sys_)

# 50b. Control: the same on v1.29, where IPVS falls back to every endpoint for local pods (kubernetes#97081).
ns_, sys_, objs = etp_local_lb("ipvs")
case("control-ipvs-etp-local-lb-ip-from-pod-fixed", {
    "description": "control: on kube-proxy >= 1.21 the IPVS proxier fills an eTP Local virtual server without local endpoints "
                   "with the cluster endpoints so local pods get through (fix https://github.com/kubernetes/kubernetes/pull/97081 "
                   "of https://github.com/kubernetes/kubernetes/issues/92857)",
    "args": ["diagnose", "mconnect-local", "-n", "default", "--client", "pod/default/telnet", "--via", "loadbalancer"],
    "exit": 0, "verdict": "reachable",
}).add("default.yaml", objs).add("cluster.yaml", ns_).add("kube-system.yaml", sys_)

# 51. Control: the same in iptables mode, where pod traffic to the LB IP is redirected to the cluster-wide endpoints.
ns_, sys_, objs = etp_local_lb("iptables")
case("control-iptables-etp-local-lb-ip-from-pod", {
    "description": "control: kube-proxy iptables mode redirects pods reaching an eTP Local LoadBalancer IP to the cluster "
                   "endpoints, so the same request works (contrast drawn in https://github.com/kubernetes/kubernetes/issues/115931)",
    "args": ["diagnose", "mconnect-local", "-n", "default", "--client", "pod/default/telnet", "--via", "loadbalancer"],
    "exit": 0, "verdict": "reachable",
}).add("default.yaml", objs).add("cluster.yaml", ns_).add("kube-system.yaml", sys_)


# 52. A node's iptables lack the Service: kube-proxy runs but its last iptables-restore failed.
ns_, sys_ = cluster()
pods = workload("orders", "default", 2, "ghcr.io/acme/orders:3.1", [{"containerPort": 8080, "name": "http"}],
                placement=["worker-1", "worker-3"], ips=["10.244.1.41", "10.244.3.42"])
svc = service("orders", "default", [{"name": "http", "port": 80, "targetPort": "http"}], selector={"app": "orders"},
              cluster_ip="10.96.120.40")
ep = eps_of(pods)
IPT = """# Generated by iptables-save v1.8.7 on Fri Nov 20 10:01:12 2026
*nat
:PREROUTING ACCEPT [0:0]
:INPUT ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
:KUBE-MARK-MASQ - [0:0]
:KUBE-NODEPORTS - [0:0]
:KUBE-POSTROUTING - [0:0]
:KUBE-SEP-IT2ZTR26TO4XFPTO - [0:0]
:KUBE-SEP-N4G2XR5TDX7PQE7P - [0:0]
:KUBE-SEP-YIL6JZP7A3QYXJU2 - [0:0]
:KUBE-SEP-ZP3FB6NMPNCO4VBJ - [0:0]
:KUBE-SERVICES - [0:0]
:KUBE-SVC-ERIFXISQEP7F7OF4 - [0:0]
:KUBE-SVC-TCOU7JCQXEZGVUNU - [0:0]
-A PREROUTING -m comment --comment "kubernetes service portals" -j KUBE-SERVICES
-A OUTPUT -m comment --comment "kubernetes service portals" -j KUBE-SERVICES
-A POSTROUTING -m comment --comment "kubernetes postrouting rules" -j KUBE-POSTROUTING
-A KUBE-MARK-MASQ -j MARK --set-xmark 0x4000/0x4000
-A KUBE-POSTROUTING -m mark ! --mark 0x4000/0x4000 -j RETURN
-A KUBE-POSTROUTING -j MARK --set-xmark 0x4000/0x0
-A KUBE-POSTROUTING -m comment --comment "kubernetes service traffic requiring SNAT" -j MASQUERADE --random-fully
-A KUBE-SEP-IT2ZTR26TO4XFPTO -s 10.244.1.2/32 -m comment --comment "kube-system/kube-dns:dns-tcp" -j KUBE-MARK-MASQ
-A KUBE-SEP-IT2ZTR26TO4XFPTO -p tcp -m comment --comment "kube-system/kube-dns:dns-tcp" -m tcp -j DNAT --to-destination 10.244.1.2:53
-A KUBE-SEP-N4G2XR5TDX7PQE7P -s 10.244.2.2/32 -m comment --comment "kube-system/kube-dns:dns-tcp" -j KUBE-MARK-MASQ
-A KUBE-SEP-N4G2XR5TDX7PQE7P -p tcp -m comment --comment "kube-system/kube-dns:dns-tcp" -m tcp -j DNAT --to-destination 10.244.2.2:53
-A KUBE-SEP-YIL6JZP7A3QYXJU2 -s 10.244.1.2/32 -m comment --comment "kube-system/kube-dns:dns" -j KUBE-MARK-MASQ
-A KUBE-SEP-YIL6JZP7A3QYXJU2 -p udp -m comment --comment "kube-system/kube-dns:dns" -m udp -j DNAT --to-destination 10.244.1.2:53
-A KUBE-SEP-ZP3FB6NMPNCO4VBJ -s 10.244.2.2/32 -m comment --comment "kube-system/kube-dns:dns" -j KUBE-MARK-MASQ
-A KUBE-SEP-ZP3FB6NMPNCO4VBJ -p udp -m comment --comment "kube-system/kube-dns:dns" -m udp -j DNAT --to-destination 10.244.2.2:53
-A KUBE-SERVICES -d 10.96.0.10/32 -p udp -m comment --comment "kube-system/kube-dns:dns cluster IP" -m udp --dport 53 -j KUBE-SVC-TCOU7JCQXEZGVUNU
-A KUBE-SERVICES -d 10.96.0.10/32 -p tcp -m comment --comment "kube-system/kube-dns:dns-tcp cluster IP" -m tcp --dport 53 -j KUBE-SVC-ERIFXISQEP7F7OF4
-A KUBE-SERVICES -m comment --comment "kubernetes service nodeports; NOTE: this must be the last rule in this chain" -m addrtype --dst-type LOCAL -j KUBE-NODEPORTS
-A KUBE-SVC-ERIFXISQEP7F7OF4 ! -s 10.244.0.0/16 -d 10.96.0.10/32 -p tcp -m comment --comment "kube-system/kube-dns:dns-tcp cluster IP" -m tcp --dport 53 -j KUBE-MARK-MASQ
-A KUBE-SVC-ERIFXISQEP7F7OF4 -m comment --comment "kube-system/kube-dns:dns-tcp -> 10.244.1.2:53" -m statistic --mode random --probability 0.50000000000 -j KUBE-SEP-IT2ZTR26TO4XFPTO
-A KUBE-SVC-ERIFXISQEP7F7OF4 -m comment --comment "kube-system/kube-dns:dns-tcp -> 10.244.2.2:53" -j KUBE-SEP-N4G2XR5TDX7PQE7P
-A KUBE-SVC-TCOU7JCQXEZGVUNU ! -s 10.244.0.0/16 -d 10.96.0.10/32 -p udp -m comment --comment "kube-system/kube-dns:dns cluster IP" -m udp --dport 53 -j KUBE-MARK-MASQ
-A KUBE-SVC-TCOU7JCQXEZGVUNU -m comment --comment "kube-system/kube-dns:dns -> 10.244.1.2:53" -m statistic --mode random --probability 0.50000000000 -j KUBE-SEP-YIL6JZP7A3QYXJU2
-A KUBE-SVC-TCOU7JCQXEZGVUNU -m comment --comment "kube-system/kube-dns:dns -> 10.244.2.2:53" -j KUBE-SEP-ZP3FB6NMPNCO4VBJ
COMMIT
# Completed on Fri Nov 20 10:01:12 2026
"""
case("iptables-missing-service-on-node", {
    "description": "Service created an hour ago is reachable from every node but one: that node's iptables-save has no "
                   "KUBE-SERVICES entry for it (kube-proxy running, its restores failing) "
                   "(https://github.com/kubernetes/kubernetes/issues/110659, https://github.com/kubernetes/kubernetes/issues/81353)",
    "args": ["diagnose", "orders", "-n", "default", "--client", "pod/default/toolbox", "--via", "clusterip"],
    "exit": 1, "verdict": "unreachable", "top": "kube-proxy-rules-missing",
}).add("default.yaml", [svc, endpoint_slice("orders", "default", "r5t6y", [{"name": "http", "port": 8080, "protocol": "TCP"}], ep),
                        endpoints("orders", "default", [{"name": "http", "port": 8080, "protocol": "TCP"}], ep), *pods, toolbox()]
      ).add("cluster.yaml", ns_).add("kube-system.yaml", sys_).raw("worker-2.iptables", IPT)

# 53. NodePort stops answering minutes after someone tightened the node security group.
ns_, sys_ = cluster(version="v1.28.5-eks-5e0fdde")
for n, e in zip(ns_, ["54.201.10.11", "54.201.10.12", "54.201.10.13"]):
    n["status"]["addresses"].insert(1, {"address": e, "type": "ExternalIP"})
pods = workload("demo", "default", 2, "nginx:1.25", [{"containerPort": 80, "name": "http"}])
svc = service("demo", "default", [{"port": 80, "targetPort": 80, "nodePort": 30080}], selector={"app": "demo"},
              type_="NodePort", cluster_ip="172.20.88.1")
ep = eps_of(pods)
inv = cloud("eks", securityGroups=[{"id": "sg-nodes", "attachedTo": ["node/worker-1", "node/worker-2", "node/worker-3"],
                                     "inbound": sg_rules}],
            changes=[{"time": "2026-11-20T09:54:00Z", "resource": "sg/sg-nodes", "category": "cloud-security",
                      "summary": "RevokeSecurityGroupIngress tcp 30000-32767 from 0.0.0.0/0 (CloudTrail)"}])
case("nodeport-sg-rule-revoked", {
    "description": "NodePort worked until 09:54, then timeouts; CloudTrail shows the 30000-32767 ingress rule revoked from the "
                   "node security group 6 minutes before (https://cloudwithgagan.com/blog/fix-security-group-vs-nacl-blocked-traffic)",
    "args": ["diagnose", "demo", "-n", "default", "--client", "internet", "--via", "nodeport", "--address", "54.201.10.12:30080",
             "--at", "2026-11-20T10:00:00Z"],
    "exit": 1, "verdict": "unreachable", "top": "node-sg-blocks-nodeport", "present": ["recent-change-correlated"],
}).add("default.yaml", [svc, endpoint_slice("demo", "default", "a1s2d", [{"name": "", "port": 80, "protocol": "TCP"}], ep),
                        endpoints("demo", "default", [{"port": 80, "protocol": "TCP"}], ep), *pods]
      ).add("cluster.yaml", ns_).add("kube-system.yaml", sys_).add("inventory.cloud.yaml", inv)


# 54. Control: one port name, two port numbers across a rollout (v1 on 8080, v2 on 9090).
ns_, sys_ = cluster()
old_p = workload("api", "default", 1, "ghcr.io/acme/api:1.0", [{"containerPort": 8080, "name": "http"}], rs="6f5c8d7b9",
                 placement=["worker-1"], ips=["10.244.1.50"])
new_p = workload("api", "default", 1, "ghcr.io/acme/api:2.0", [{"containerPort": 9090, "name": "http"}], rs="84b7c9d6f",
                 placement=["worker-3"], ips=["10.244.3.50"])
svc = service("api", "default", [{"name": "http", "port": 80, "targetPort": "http"}], selector={"app": "api"}, cluster_ip="10.96.80.80")
sl1 = endpoint_slice("api", "default", "v1x9z", [{"name": "http", "port": 8080, "protocol": "TCP"}], eps_of(old_p))
sl2 = endpoint_slice("api", "default", "v2c8b", [{"name": "http", "port": 9090, "protocol": "TCP"}], eps_of(new_p))
epo = endpoints("api", "default", [{"name": "http", "port": 8080, "protocol": "TCP"}], eps_of(old_p))
epo["subsets"].append({"addresses": [{"ip": "10.244.3.50", "nodeName": "worker-3",
                                      "targetRef": {"kind": "Pod", "name": new_p[0]["metadata"]["name"], "namespace": "default"}}],
                       "ports": [{"name": "http", "port": 9090, "protocol": "TCP"}]})
case("control-named-port-two-numbers", {
    "description": "control: targetPort http resolves to 8080 on v1 pods and 9090 on v2 pods during a migration — the documented "
                   "use of named ports (https://github.com/zalando/skipper/issues/1645 quoting the Service docs)",
    "args": ["diagnose", "api", "-n", "default", "--client", "pod/default/toolbox", "--via", "clusterip"],
    "exit": 0, "verdict": "reachable",
}).add("default.yaml", [svc, sl1, sl2, epo, *old_p, *new_p, toolbox()]).add("cluster.yaml", ns_).add("kube-system.yaml", sys_)

# 55. Control: numeric targetPort and no containerPort declared at all (ports[] is informational).
ns_, sys_ = cluster()
pods = workload("metrics", "default", 2, "ghcr.io/acme/metrics:0.7", None)
svc = service("metrics", "default", [{"name": "http", "port": 80, "targetPort": 9100}], selector={"app": "metrics"},
              cluster_ip="10.96.91.0")
ep = eps_of(pods)
case("control-no-containerport-declared", {
    "description": "control: the pod spec lists no ports; the Service's numeric targetPort 9100 still forwards — declaring "
                   "containerPort is optional (thockin in https://github.com/kubernetes/website/pull/26790)",
    "args": ["diagnose", "metrics", "-n", "default", "--client", "pod/default/toolbox", "--via", "clusterip"],
    "exit": 0, "verdict": "reachable",
}).add("default.yaml", [svc, endpoint_slice("metrics", "default", "w9e8r", [{"name": "http", "port": 9100, "protocol": "TCP"}], ep),
                        endpoints("metrics", "default", [{"name": "http", "port": 9100, "protocol": "TCP"}], ep), *pods, toolbox()]
      ).add("cluster.yaml", ns_).add("kube-system.yaml", sys_)

# 56. Control: headless peer-discovery Service publishing not-ready addresses while the StatefulSet boots.
ns_, sys_ = cluster()
pods = workload("etcd", "db", 3, "quay.io/coreos/etcd:v3.5.12", [{"containerPort": 2380, "name": "peer"}], rs="0",
                ready=[True, False, False])
for i, p in enumerate(pods):
    p["metadata"]["name"] = f"etcd-{i}"
    p["metadata"]["ownerReferences"][0].update({"kind": "StatefulSet", "name": "etcd"})
svc = service("etcd-peers", "db", [{"name": "peer", "port": 2380, "targetPort": 2380}], selector={"app": "etcd"}, headless=True)
svc["spec"]["publishNotReadyAddresses"] = True
ep = [(ip, n, pn, True) for ip, n, pn, _ in eps_of(pods)]
sl = endpoint_slice("etcd-peers", "db", "p4o3i", [{"name": "peer", "port": 2380, "protocol": "TCP"}], ep)
case("control-publish-not-ready-headless", {
    "description": "control: headless etcd peer Service with publishNotReadyAddresses: true — members find each other before "
                   "they are Ready (https://github.com/kubernetes/kubernetes/issues/75889 discusses unready pods in endpoints)",
    "args": ["diagnose", "etcd-peers", "-n", "db", "--client", "pod/db/etcd-1", "--via", "dns", "--port", "2380"],
    "exit": 0,
}).add("db.yaml", [svc, sl, endpoints("etcd-peers", "db", [{"name": "peer", "port": 2380, "protocol": "TCP"}], ep), *pods]
      ).add("cluster.yaml", ns_).add("kube-system.yaml", sys_)

for c, exp in cases:
    c.write(exp)
print(len(cases), "cases")
