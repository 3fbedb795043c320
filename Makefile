# The two commands a newcomer needs: `make run` and `make test`.
VENV := .venv
STAMP := $(VENV)/.installed

.PHONY: run test tempest install sample-config sample-policy bench clean

run: $(STAMP)
	$(VENV)/bin/nova-all-in-one $(ARGS)

# Two workers (pytest-xdist): each test module runs whole on one of them,
# and the modules that share the machine's libvirtd, network namespaces
# or the session's Ceph run on one (tests/conftest.py). PYTEST_WORKERS=0
# runs everything in this process.
PYTEST_WORKERS ?= 2
test: $(STAMP)
	$(VENV)/bin/python -m pytest tests -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

# Tempest's compute API tests against a fresh Keystone and all-in-one,
# judged against tests/tempest/known_failures.txt (`make test` runs it too,
# as tests/functional/test_tempest.py).
tempest: $(STAMP)
	$(VENV)/bin/python -m tests.tempest.run $(ARGS)

install: $(STAMP)

$(STAMP): setup.cfg tools/install.sh
	./tools/install.sh
	touch $(STAMP)

# Regenerates etc/nova.conf.sample from the registered options.
sample-config: $(STAMP)
	$(VENV)/bin/oslo-config-generator --config-file etc/nova-config-generator.conf

# Regenerates etc/policy.yaml.sample from the rules in nova_api/policies/.
sample-policy: $(STAMP)
	$(VENV)/bin/oslopolicy-sample-generator --config-file etc/nova-policy-generator.conf

bench: $(STAMP)
	$(VENV)/bin/python bench/boot.py

clean:
	rm -rf $(VENV) .venv-keystone .venv-tempest .venv-cloud-init .venv-cinder state
