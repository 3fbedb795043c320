"""etc/nova.conf.sample is generated, and must match the registered options."""

import pathlib
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parents[2]


def test_sample_config_is_up_to_date(tmp_path):
    out = tmp_path / 'nova.conf.sample'
    generator = pathlib.Path(sys.executable).parent / 'oslo-config-generator'
    subprocess.run([str(generator), '--config-file',
                    str(ROOT / 'etc/nova-config-generator.conf'),
                    '--output-file', str(out)], check=True, cwd=ROOT,
                   capture_output=True)
    assert out.read_text() == (ROOT / 'etc/nova.conf.sample').read_text(), \
        'run `make sample-config` and commit etc/nova.conf.sample'
