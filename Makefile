# The two commands of the README:
#   make run    set everything up and start the app on the embedded default model
#   make test   set everything up and run the tests
.PHONY: run test setup setup-dev bench screenshots bundle deb tarball bundle-smoke

# The bundler CI installs (pinned): `make bundle` adds it to the virtualenv.
PYINSTALLER = pyinstaller==6.22.3

run: setup
	.venv/bin/aeon-studio

test: setup-dev
	.venv/bin/python -m pytest

setup:
	scripts/setup.sh

setup-dev:
	scripts/setup.sh --dev

bench: setup-dev
	for b in bench/*.py; do echo "== $$b"; .venv/bin/python $$b || exit 1; done

screenshots: setup-dev
	QT_QPA_PLATFORM=offscreen .venv/bin/python scripts/screenshots.py docs/screenshots

# The one-folder app: dist/aeon-studio/aeon-studio (a few minutes; about 1 GB).
bundle: setup
	.venv/bin/python -m pip install -q --disable-pip-version-check "$(PYINSTALLER)"
	.venv/bin/pyinstaller --noconfirm --log-level WARN --distpath dist --workpath build/pyinstaller packaging/aeon-studio.spec

# dist/aeon-studio_<version>_<arch>.deb (installs under /opt/aeon-studio, a menu entry, `aeon-studio` on the PATH).
deb: bundle
	packaging/build-deb.sh

# dist/aeon-studio-<version>-linux-<arch>.tar.gz with an install script for the user's menu (other Linux systems).
tarball: bundle
	packaging/build-tarball.sh

# Build the bundle and the .deb, then use them as a user would (run by CI after the tests).
bundle-smoke:
	scripts/bundle_smoke.sh
