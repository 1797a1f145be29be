# The two commands of the README:
#   make run    set everything up and start the app on the embedded default model
#   make test   set everything up and run the tests
.PHONY: run test setup setup-dev bench screenshots

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
