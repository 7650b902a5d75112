# flowengine in a small image: built as a wheel in one stage, installed in a slim one, run as
# an unprivileged user. Build: docker build -t flowengine .   (see docs/deploy.md)
FROM python:3.12-slim AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY schemas ./schemas
COPY flowengine ./flowengine
RUN pip wheel --no-cache-dir --no-deps --wheel-dir /wheels . \
    && pip wheel --no-cache-dir --wheel-dir /wheels /wheels/*.whl

FROM python:3.12-slim
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    FLOWENGINE_STORE=sqlite:////srv/data/flowengine.db
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir --no-index --find-links=/wheels /wheels/flowengine_ivr-*.whl \
    && rm -rf /wheels \
    && useradd --system --uid 10001 --home-dir /srv --shell /usr/sbin/nologin flowengine \
    && mkdir -p /srv/data \
    && chown flowengine /srv/data
WORKDIR /srv
COPY --chown=10001 flows ./flows
USER 10001
VOLUME ["/srv/data"]
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=3s --start-period=10s --retries=3 \
    CMD ["python", "-c", "import sys, urllib.request; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=2).status != 200)"]
CMD ["flowengine", "serve", "flows", "--host", "0.0.0.0", "--port", "8000"]
