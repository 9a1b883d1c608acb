# Tether's sidecar as an image: Python dependencies from requirements/runtime.lock (every
# hash checked), the pages' npm packages installed at build, the code copied in (never
# bind-mounted), run as an unprivileged user. Production set-up: docs/deploy.md.

# The browser packages the pages and the Zoom App panel serve from Tether's own origin.
FROM node:20-bookworm-slim AS npm
WORKDIR /src
COPY sidecar/web/package.json sidecar/web/package-lock.json sidecar/web/
COPY plugins/zoom/package.json plugins/zoom/package-lock.json plugins/zoom/
RUN npm ci --prefix sidecar/web --omit=dev --no-audit --no-fund \
 && npm ci --prefix plugins/zoom --omit=dev --no-audit --no-fund

FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1
# dependencies first: the layer is rebuilt only when the lock changes
COPY requirements/runtime.lock /tmp/runtime.lock
RUN python -m venv /opt/venv \
 && /opt/venv/bin/pip install --require-hashes --no-deps -r /tmp/runtime.lock \
 && rm /tmp/runtime.lock
RUN groupadd --system --gid 10001 tether \
 && useradd --system --uid 10001 --gid tether --home-dir /var/lib/tether \
      --shell /usr/sbin/nologin tether \
 && install -d -o tether -g tether -m 0700 /var/lib/tether
WORKDIR /app
# the code belongs to root and is read-only to the sidecar; only its data folder is writable
COPY contracts/ contracts/
COPY plugins/ plugins/
COPY webhooks/ webhooks/
COPY sidecar/ sidecar/
COPY examples/ examples/
COPY --from=npm /src/sidecar/web/node_modules/ sidecar/web/node_modules/
COPY --from=npm /src/plugins/zoom/node_modules/ plugins/zoom/node_modules/
ENV PATH=/opt/venv/bin:$PATH PYTHONPATH=/app TETHER_DATA_DIR=/var/lib/tether
USER tether
VOLUME ["/var/lib/tether"]
EXPOSE 8080
# ready: Redis answers, the workers run, telephony and TETHER_PUBLIC_URL are set
HEALTHCHECK --interval=15s --timeout=5s --start-period=90s --retries=3 \
  CMD ["python", "-c", "import sys, urllib.request as u; sys.exit(u.urlopen('http://127.0.0.1:8080/readyz', timeout=4).status != 200)"]
ENTRYPOINT ["python", "-m", "sidecar.cli"]
CMD ["serve", "--host", "0.0.0.0", "--port", "8080", "--config", "/app/examples/program.yaml"]
