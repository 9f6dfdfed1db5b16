#!/usr/bin/env bash
# A real OpenStack on this machine for development, tests and CI: Debian bookworm's keystone,
# glance (file store), placement, nova (api, conductor, scheduler, and compute with the fake virt
# driver) and neutron (ML2, routers, floating IPs; no dataplane), on MariaDB and RabbitMQ.
# Every API listens on 127.0.0.1 only.
#   scripts/openstack.sh start    install the Debian packages if missing, initialise the cloud the
#                                 first time (~3 min from a fresh machine), start what is not
#                                 running and wait until every API answers; nothing when running
#   scripts/openstack.sh stop     stop every service (state is kept; start brings it back)
#   scripts/openstack.sh status   exit 0 when every service runs and every API answers
#   scripts/openstack.sh reset    stop and wipe the state; the next start initialises afresh
# State (configs, databases, images, logs, pids, clouds.yaml) lives in NODEPOOL_OPENSTACK_DIR
# (default /var/tmp/nodepool-openstack). Its clouds.yaml has the clouds:
#   local        user demo (member of project demo): the tests' and quickstart's cloud
#   local-quota  user quota (member of project quota): a project whose quota the tests lower
#   local-admin  user admin (admin of project admin)
# Nothing answers on the servers' addresses (10.77.0.0/24, floating 198.51.100.0/24): use
# host-key-checking: false.
set -euo pipefail
cmd=${1:-}
D=${NODEPOOL_OPENSTACK_DIR:-/var/tmp/nodepool-openstack}
# Debian's python3 and the services' console scripts, not a python from elsewhere on PATH.
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export PYTHONDONTWRITEBYTECODE=1
export OS_CLIENT_CONFIG_FILE=$D/clouds.yaml
export RABBITMQ_NODENAME=rabbit@localhost RABBITMQ_NODE_IP_ADDRESS=127.0.0.1 RABBITMQ_NODE_PORT=5672
export RABBITMQ_DIST_PORT=25672 ERL_EPMD_ADDRESS=127.0.0.1
export RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}"
export RABBITMQ_MNESIA_BASE=$D/data/rabbitmq/mnesia RABBITMQ_LOG_BASE=$D/logs/rabbitmq
export RABBITMQ_CONFIG_FILE=$D/etc/rabbitmq/rabbitmq.conf RABBITMQ_ENABLED_PLUGINS_FILE=$D/etc/rabbitmq/enabled_plugins
# uwsgi apps find their configuration through these
export OS_KEYSTONE_CONFIG_DIR=$D/etc/keystone OS_PLACEMENT_CONFIG_DIR=$D/etc/placement
PIDS=$D/pids
MYCNF=$D/etc/my.cnf
HOST=nodepool-os   # nova's compute host, and the host of neutron's fake L2 agent
SERVICES="mysqld epmd rabbitmq keystone placement glance-api neutron-server nova-conductor nova-scheduler nova-api nova-compute"
T0=$(date +%s)
say() { echo "openstack.sh: $*" >&2; }
elapsed() { echo "$(( $(date +%s) - T0 ))s"; }

# ---- processes: each daemon runs in a session of its own (PGID = PID), recorded as "NAME PID"
pid_of() { awk -v n="$1" '$1==n{print $2}' "$PIDS" 2>/dev/null | tail -1; }
running() { local pid; pid=$(pid_of "$1"); [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; }
launch() { # launch NAME CMD...
  local name=$1; shift
  running "$name" && return 0
  sed -i "/^$name /d" "$PIDS" 2>/dev/null || true
  # 9>&-: the daemon must not keep holding the start lock.
  setsid nohup "$@" >>"$D/logs/$name.log" 2>&1 </dev/null 9>&- &
  echo "$name $!" >>"$PIDS"
}
wait_for() { # wait_for WHAT SECONDS COMMAND...: poll COMMAND until it succeeds
  local what=$1 t=$2; shift 2
  local end=$(( $(date +%s) + t ))
  until "$@" >/dev/null 2>&1; do
    if [ "$(date +%s)" -ge "$end" ]; then say "$what did not come up within ${t}s (logs: $D/logs)"; return 1; fi
    sleep 0.25
  done
}
tcp_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
http_answers() { curl -s -o /dev/null -m 3 "$1"; }
APIS="keystone=http://127.0.0.1:5000/v3 placement=http://127.0.0.1:8778/ glance=http://127.0.0.1:9292/
neutron=http://127.0.0.1:9696/ nova=http://127.0.0.1:8774/"

status() {
  local ok=0 s
  [ -e "$D/data/.initialised" ] || { say "not initialised ($D)"; return 1; }
  for s in $SERVICES; do running "$s" || { say "$s is not running"; ok=1; }; done
  for s in $APIS; do http_answers "${s#*=}" || { say "${s%%=*} does not answer at ${s#*=}"; ok=1; }; done
  return $ok
}

stop() {
  [ -s "$PIDS" ] || return 0
  local order n pid i
  order=$(echo "$SERVICES" | tr ' ' '\n' | tac | tr '\n' ' ')   # API services first, bus and DB last
  for n in $order; do
    pid=$(pid_of "$n"); [ -n "$pid" ] || continue
    if pgrep -g "$pid" >/dev/null 2>&1; then
      say "stopping $n"
      kill -TERM -- "-$pid" 2>/dev/null || true
      for i in $(seq 1 80); do pgrep -g "$pid" >/dev/null 2>&1 || break; sleep 0.25; done
      pgrep -g "$pid" >/dev/null 2>&1 && kill -KILL -- "-$pid" 2>/dev/null || true
    fi
    sed -i "/^$n /d" "$PIDS"
  done
}

# ---- packages
PKGS="keystone glance placement-api nova-api nova-conductor nova-scheduler neutron-server
      python3-openstackclient rabbitmq-server mariadb-server uwsgi-core uwsgi-plugin-python3 curl procps"
install_packages() {
  local missing="" p
  for p in $PKGS; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing="$missing $p"
  done
  [ -z "$missing" ] && return 0
  say "installing Debian packages:$missing"
  # The packages' own database and endpoint set-up is not wanted: every service runs from $D.
  debconf-set-selections <<'EOF'
keystone keystone/configure_db boolean false
keystone keystone/create-admin-tenant boolean false
keystone keystone/register-endpoint boolean false
glance-common glance/configure_db boolean false
glance-api glance/register-endpoint boolean false
nova-common nova/configure_db boolean false
nova-api nova/register-endpoint boolean false
placement-common placement/configure_db boolean false
placement-api placement/register-endpoint boolean false
neutron-common neutron/configure_db boolean false
neutron-api neutron/register-endpoint boolean false
neutron-server neutron/register-endpoint boolean false
EOF
  # Their init scripts must not start system-wide copies on the same ports.
  local policy_added=""
  if [ ! -e /usr/sbin/policy-rc.d ]; then printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d; chmod +x /usr/sbin/policy-rc.d; policy_added=1; fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq || true
  # shellcheck disable=SC2086
  apt-get install -y -q --no-install-recommends -o DPkg::Lock::Timeout=600 -o Dpkg::Options::=--force-confdef \
    -o Dpkg::Options::=--force-confold $PKGS >"$D/logs/apt-install.log" 2>&1 \
    || { tail -20 "$D/logs/apt-install.log" >&2; [ -n "$policy_added" ] && rm -f /usr/sbin/policy-rc.d; return 1; }
  [ -n "$policy_added" ] && rm -f /usr/sbin/policy-rc.d
  return 0
}

# ---- configuration (rewritten on every start: cheap, and keeps it in step with this script)
keystone_authtoken() { cat <<EOF
[keystone_authtoken]
www_authenticate_uri = http://127.0.0.1:5000/v3
auth_url = http://127.0.0.1:5000/v3
auth_type = password
project_domain_name = Default
user_domain_name = Default
project_name = service
username = $1
password = $1
region_name = RegionOne
EOF
}
service_auth() { keystone_authtoken "$1" | tail -n +3; }
db() { echo "mysql+pymysql://$1:$1@127.0.0.1:3306/$2?charset=utf8"; }

write_config() {
  mkdir -p "$D"/etc/{keystone,glance,placement,nova,neutron,rabbitmq} "$D/bin"
  local c
  {
    echo "clouds:"
    for c in local:demo local-quota:quota local-admin:admin; do
      printf '  %s:\n    auth:\n      auth_url: http://127.0.0.1:5000/v3\n      username: %s\n      password: %s\n      project_name: %s\n' "${c%%:*}" "${c#*:}" "${c#*:}" "${c#*:}"
      printf '      user_domain_name: Default\n      project_domain_name: Default\n    region_name: RegionOne\n    identity_api_version: 3\n    interface: public\n'
    done
  } >"$D/clouds.yaml"
  cat >"$D/etc/rabbitmq/rabbitmq.conf" <<'EOF'
listeners.tcp.default = 127.0.0.1:5672
log.file.level = warning
EOF
  echo '[].' >"$D/etc/rabbitmq/enabled_plugins"
  cat >"$MYCNF" <<EOF
[mysqld]
user = mysql
datadir = $D/data/mysql
socket = $D/run/mysqld.sock
pid-file = $D/run/mysqld.pid
bind-address = 127.0.0.1
port = 3306
skip-name-resolve
performance_schema = OFF
innodb_buffer_pool_size = 64M
innodb_log_file_size = 32M
max_connections = 300
character-set-server = utf8mb4
collation-server = utf8mb4_general_ci
[client]
socket = $D/run/mysqld.sock
EOF
  # uwsgi's http-socket does not keep connections alive; "Connection: close" tells clients so,
  # or they reuse a closed socket and a POST fails.
  for c in keystone:5000:/usr/bin/keystone-wsgi-public:3 placement:8778:/usr/bin/placement-api:1; do
    IFS=: read -r name port app procs <<<"$c"
    cat >"$D/etc/uwsgi-$name.ini" <<EOF
[uwsgi]
plugins = python3
http-socket = 127.0.0.1:$port
wsgi-file = $app
master = true
processes = $procs
threads = 1
enable-threads = true
lazy-apps = true
die-on-term = true
no-orphans = true
need-app = true
buffer-size = 65535
http-auto-chunked = true
http-chunked-input = true
http-raw-body = true
wsgi-manage-chunked-input = true
add-header = Connection: close
EOF
  done
  cat >"$D/etc/keystone/keystone.conf" <<EOF
[DEFAULT]
log_file = $D/logs/keystone-app.log
[database]
connection = $(db openstack keystone)
[token]
provider = fernet
expiration = 86400
[fernet_tokens]
key_repository = $D/data/keystone/fernet-keys
[fernet_receipts]
key_repository = $D/data/keystone/fernet-keys
[credential]
key_repository = $D/data/keystone/credential-keys
# Every API call is validated here (the user's token, and the service token Nova sends on): a
# per-process cache keeps that from queueing behind the two workers.
[cache]
enabled = true
backend = dogpile.cache.memory
EOF
  cp /etc/glance/glance-api-paste.ini "$D/etc/glance/"
  cat >"$D/etc/glance/glance-api.conf" <<EOF
[DEFAULT]
bind_host = 127.0.0.1
bind_port = 9292
workers = 0
log_file = $D/logs/glance-api-app.log
enabled_backends = fs:file
[database]
connection = $(db openstack glance)
[glance_store]
default_backend = fs
[fs]
filesystem_store_datadir = $D/data/glance/images/
[os_glance_staging_store]
filesystem_store_datadir = $D/data/glance/staging/
[os_glance_tasks_store]
filesystem_store_datadir = $D/data/glance/tasks/
[paste_deploy]
flavor = keystone
config_file = $D/etc/glance/glance-api-paste.ini
[oslo_concurrency]
lock_path = $D/data/glance/locks
$(keystone_authtoken glance)
EOF
  cat >"$D/etc/placement/placement.conf" <<EOF
[DEFAULT]
log_file = $D/logs/placement-app.log
[placement_database]
connection = $(db openstack placement)
[api]
auth_strategy = keystone
$(keystone_authtoken placement)
EOF
  cp /etc/nova/api-paste.ini "$D/etc/nova/"
  cat >"$D/etc/nova/nova.conf" <<EOF
[DEFAULT]
host = $HOST
my_ip = 127.0.0.1
state_path = $D/data/nova
instances_path = $D/data/nova/instances
transport_url = rabbit://guest:guest@127.0.0.1:5672/
compute_driver = fake.FakeDriver
enabled_apis = osapi_compute
osapi_compute_listen = 127.0.0.1
osapi_compute_listen_port = 8774
osapi_compute_workers = 1
# The fake hypervisor reports 8 vCPU / 8000 MB / 500 GB: overcommit so tests can boot many servers.
cpu_allocation_ratio = 16.0
ram_allocation_ratio = 16.0
disk_allocation_ratio = 16.0
[api]
auth_strategy = keystone
[wsgi]
api_paste_config = $D/etc/nova/api-paste.ini
[api_database]
connection = $(db openstack nova_api)
[database]
connection = $(db openstack nova)
[conductor]
workers = 1
[scheduler]
workers = 1
discover_hosts_in_cells_interval = 30
[oslo_concurrency]
lock_path = $D/data/nova/locks
[oslo_messaging_notifications]
driver = noop
[glance]
region_name = RegionOne
[placement]
$(service_auth nova)
[neutron]
$(service_auth neutron)
[service_user]
send_service_user_token = true
$(service_auth nova)
[vnc]
enabled = false
[spice]
enabled = false
$(keystone_authtoken nova)
EOF
  # nova-compute reaches the database only through the conductor: no connection strings.
  awk '/^\[/{skip=($0=="[database]"||$0=="[api_database]")} !skip' "$D/etc/nova/nova.conf" >"$D/etc/nova/nova-compute.conf"
  # Debian's nova-compute package would pull libvirt and qemu; the fake driver needs neither.
  cat >"$D/bin/nova-compute" <<'EOF'
#!/usr/bin/python3
import sys
from nova.cmd.compute import main
sys.exit(main())
EOF
  chmod +x "$D/bin/nova-compute"
  # Ports bind through neutron's test mechanism driver fake_agent (shipped in python3-neutron) to
  # the fake agent row this script keeps alive for the compute host: servers get real ports and
  # fixed IPs, floating IPs and routers are real API objects, and no traffic flows anywhere.
  cp /etc/neutron/api-paste.ini "$D/etc/neutron/"
  cat >"$D/etc/neutron/neutron.conf" <<EOF
[DEFAULT]
bind_host = 127.0.0.1
bind_port = 9696
core_plugin = ml2
service_plugins = router
agent_down_time = 2000000
auth_strategy = keystone
transport_url = rabbit://guest:guest@127.0.0.1:5672/
api_workers = 0
rpc_workers = 0
rpc_state_report_workers = 0
notify_nova_on_port_status_changes = false
notify_nova_on_port_data_changes = false
state_path = $D/data/neutron
api_paste_config = $D/etc/neutron/api-paste.ini
log_file = $D/logs/neutron-server-app.log
[database]
connection = $(db openstack neutron)
[oslo_concurrency]
lock_path = $D/data/neutron/locks
[oslo_messaging_notifications]
driver = noop
[ml2]
type_drivers = local,flat
tenant_network_types = local
mechanism_drivers = fake_agent
extension_drivers = port_security
[ml2_type_flat]
flat_networks = *
[securitygroup]
enable_security_group = true
firewall_driver = noop
$(keystone_authtoken neutron)
EOF
}

# ---- services
mariadb_sql() { mariadb --defaults-file="$MYCNF" "$@"; }
start_services() { # start_services [NAME...]: start what is not running, wait until it answers
  local want=" ${*:-$SERVICES} " nova="--config-file $D/etc/nova/nova.conf"
  local rmq="setpriv --reuid=rabbitmq --regid=rabbitmq --init-groups env HOME=/var/lib/rabbitmq"
  local since
  since=$(date -u +%Y-%m-%dT%H:%M:%S)
  mkdir -p "$D/logs/rabbitmq" "$D/run"
  chown rabbitmq:rabbitmq "$D/logs/rabbitmq"; chown mysql:mysql "$D/run"
  touch "$PIDS"
  on() { [[ "$want" == *" $1 "* ]]; }
  on mysqld && launch mysqld /usr/sbin/mariadbd --defaults-file="$MYCNF"
  # shellcheck disable=SC2086
  { on epmd && launch epmd $rmq epmd -address 127.0.0.1; on rabbitmq && launch rabbitmq $rmq /usr/lib/rabbitmq/bin/rabbitmq-server; } || true
  wait_for MariaDB 60 mariadb_sql -e 'select 1'
  # The fake L2 agent counts as alive for agent_down_time after its last heartbeat: renew it.
  [ -e "$D/data/.initialised" ] && mariadb_sql neutron -e "UPDATE agents SET heartbeat_timestamp=UTC_TIMESTAMP() WHERE host='$HOST'"
  on keystone && launch keystone uwsgi --ini "$D/etc/uwsgi-keystone.ini"
  on placement && launch placement uwsgi --ini "$D/etc/uwsgi-placement.ini"
  on glance-api && launch glance-api glance-api --config-file "$D/etc/glance/glance-api.conf"
  on neutron-server && launch neutron-server neutron-server --config-file "$D/etc/neutron/neutron.conf"
  # shellcheck disable=SC2086
  { on nova-api && launch nova-api nova-api $nova; on nova-scheduler && launch nova-scheduler nova-scheduler $nova; } || true
  local fresh_conductor=""
  if on nova-conductor && ! running nova-conductor; then
    fresh_conductor=$(cat "$D/logs/nova-conductor.log" 2>/dev/null | wc -l)
    # shellcheck disable=SC2086
    launch nova-conductor nova-conductor $nova
  fi
  if on nova-compute && ! running nova-compute; then
    wait_for keystone 90 http_answers http://127.0.0.1:5000/v3
    wait_for placement 90 http_answers http://127.0.0.1:8778/
    # nova-compute pings the conductor as it starts; a ping sent before the conductor listens is
    # lost and costs a long RPC timeout, so wait for the conductor first.
    if [ -n "$fresh_conductor" ]; then
      wait_for nova-conductor 90 bash -c "tail -n +$((fresh_conductor + 1)) '$D/logs/nova-conductor.log' | grep -q 'Starting conductor node'"
    fi
    launch nova-compute "$D/bin/nova-compute" --config-file "$D/etc/nova/nova-compute.conf"
  fi
  on rabbitmq && wait_for RabbitMQ 90 tcp_open 5672
  local s
  for s in $APIS; do
    on "${s%%=*}" || on "${s%%=*}-api" || on "${s%%=*}-server" || continue
    wait_for "${s%%=*}" 90 http_answers "${s#*=}"
  done
  # nova-compute is up once it has sent a heartbeat since this start (a restarted one's old
  # heartbeat can still look fresh).
  if on nova-compute && [ -e "$D/data/.initialised" ]; then
    wait_for "nova-compute (heartbeat)" 120 bash -c "OS_CLOUD=local-admin openstack compute service list --service nova-compute -f value -c State -c 'Updated At' | awk -v s='$since' '\$1==\"up\" && \$2>s{f=1} END{exit !f}'"
  fi
}

initialise() {
  say "initialising the cloud in $D"
  mkdir -p "$D"/data/{keystone,rabbitmq,mysql,neutron/locks,images} "$D"/data/glance/{images,staging,tasks,locks} "$D"/data/nova/{instances,locks} "$D/run"
  chown rabbitmq:rabbitmq "$D/data/rabbitmq"; chown mysql:mysql "$D/data/mysql" "$D/run"
  local log=$D/logs/init.log
  mariadb-install-db --defaults-file="$MYCNF" --auth-root-authentication-method=socket >>"$log" 2>&1
  touch "$PIDS"
  launch mysqld /usr/sbin/mariadbd --defaults-file="$MYCNF"
  wait_for MariaDB 60 mariadb_sql -e 'select 1'
  local d
  mariadb_sql -e "CREATE USER IF NOT EXISTS 'openstack'@'127.0.0.1' IDENTIFIED BY 'openstack';"
  for d in keystone glance placement nova_api nova nova_cell0 neutron; do
    mariadb_sql -e "CREATE DATABASE IF NOT EXISTS $d; GRANT ALL ON $d.* TO 'openstack'@'127.0.0.1';"
  done
  local k="--config-file $D/etc/keystone/keystone.conf" n="--config-file $D/etc/nova/nova.conf"
  # shellcheck disable=SC2086
  {
    keystone-manage $k db_sync
    keystone-manage $k fernet_setup --keystone-user root --keystone-group root
    keystone-manage $k credential_setup --keystone-user root --keystone-group root
    keystone-manage $k bootstrap --bootstrap-password admin --bootstrap-region-id RegionOne \
      --bootstrap-admin-url http://127.0.0.1:5000/v3/ --bootstrap-internal-url http://127.0.0.1:5000/v3/ \
      --bootstrap-public-url http://127.0.0.1:5000/v3/
    glance-manage --config-file "$D/etc/glance/glance-api.conf" db_sync
    placement-manage --config-file "$D/etc/placement/placement.conf" db sync
    nova-manage $n api_db sync
    nova-manage $n cell_v2 map_cell0 --database_connection "$(db openstack nova_cell0)"
    nova-manage $n cell_v2 create_cell --name cell1
    nova-manage $n db sync
    neutron-db-manage --config-file "$D/etc/neutron/neutron.conf" upgrade heads
  } >>"$log" 2>&1 || { tail -20 "$log" >&2; say "initialisation failed, see $log"; return 1; }
  mariadb_sql neutron -e "INSERT INTO agents (id, agent_type, \`binary\`, topic, host, admin_state_up, created_at,
    started_at, heartbeat_timestamp, configurations, \`load\`, resources_synced) VALUES (UUID(), 'OFA driver agent',
    'neutron-fake-agent', 'N/A', '$HOST', 1, UTC_TIMESTAMP(), UTC_TIMESTAMP(), UTC_TIMESTAMP(), '{}', 0, 1);"
  start_services mysqld keystone
  say "registering projects, users and the service catalog"
  local ep svc
  {
    echo "project create --or-show --domain default service"
    for u in demo quota; do
      echo "project create --or-show --domain default $u"
      echo "user create --or-show --domain default --password $u $u"
    done
    echo "role create --or-show member"
    echo "role create --or-show service"
    echo "role add --project demo --user demo member"
    echo "role add --project quota --user quota member"
    for u in glance nova placement neutron; do
      echo "user create --or-show --domain default --password $u $u"
      echo "role add --project service --user $u admin"
      echo "role add --project service --user $u service"
    done
    for ep in image=glance=http://127.0.0.1:9292 placement=placement=http://127.0.0.1:8778 \
              compute=nova=http://127.0.0.1:8774/v2.1 network=neutron=http://127.0.0.1:9696; do
      IFS== read -r svc name url <<<"$ep"
      echo "service create --name $name $svc"
      for i in public internal admin; do echo "endpoint create --region RegionOne $svc $i $url"; done
    done
  } | OS_CLOUD=local-admin openstack >>"$D/logs/init-keystone.log" 2>&1
  [ "$(OS_CLOUD=local-admin openstack endpoint list -f value -c ID | wc -l)" -ge 13 ] \
    || { say "registering the catalog failed, see $D/logs/init-keystone.log"; return 1; }
  say "starting the other services"
  start_services
  nova-manage $n cell_v2 discover_hosts >>"$log" 2>&1
  head -c 1048576 /dev/zero >"$D/data/images/tiny.raw"
  # Flavors, the external network, a public image; quotas that let the tests boot many servers.
  OS_CLOUD=local-admin openstack >>"$D/logs/init-nova.log" 2>&1 <<EOF
flavor create --id 1 --vcpus 1 --ram 512 --disk 1 m1.tiny
flavor create --id 2 --vcpus 1 --ram 2048 --disk 20 m1.small
flavor create --id 3 --vcpus 2 --ram 4096 --disk 40 m1.medium
network create public --external --provider-network-type flat --provider-physical-network physnet1
subnet create --network public --subnet-range 198.51.100.0/24 --no-dhcp public-subnet
image create --public --disk-format raw --container-format bare --file $D/data/images/tiny.raw tiny-raw
quota set --instances 100 --cores 200 --ram 512000 demo
quota set --floating-ips 100 --ports 200 demo
EOF
  # Each project's own network, routed to `public` for floating IPs.
  for p in local:private:10.77.0.0/24 local-quota:quota-net:10.78.0.0/24; do
    IFS=: read -r cloud net range <<<"$p"
    OS_CLOUD=$cloud openstack >>"$D/logs/init-network.log" 2>&1 <<EOF
network create $net
subnet create --network $net --subnet-range $range $net-subnet
router create $net-router
router set $net-router --external-gateway public
router add subnet $net-router $net-subnet
EOF
  done
  [ "$(OS_CLOUD=local openstack network list -f value -c Name | grep -c private)" -ge 1 ] \
    || { say "creating the networks failed, see $D/logs/init-network.log"; return 1; }
  touch "$D/data/.initialised"
}

start() {
  mkdir -p "$D/logs"
  exec 9>"$D/lock"
  flock 9   # one start at a time (a test run and a developer may start it together)
  if [ -e "$D/data/.initialised" ] && status 2>/dev/null; then return 0; fi
  install_packages
  write_config
  if [ -e "$D/data/.initialised" ]; then
    start_services
  else
    # An initialisation that stopped half-way is begun again from nothing.
    stop; rm -rf "$D/data" "$D/run"
    initialise
  fi
  say "running ($(elapsed)); clouds in $D/clouds.yaml"
}

case "$cmd" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  reset) stop; rm -rf "$D/data" "$D/run" "$D/logs" "$PIDS" ;;
  *) echo "usage: scripts/openstack.sh start|stop|status|reset" >&2; exit 2 ;;
esac
