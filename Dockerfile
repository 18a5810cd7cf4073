# ClearLane API + web pages. Build: docker build -t clearlane .   Run: see README "Docker".
FROM python:3.11-slim AS runtime

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 \
    CLEARLANE_ENVIRONMENT=production CLEARLANE_DATA_DIR=/data

# glib and gomp for OpenCV and onnxruntime (the certificate CJK font comes from a PyPI package).
RUN apt-get update \
 && apt-get install -y --no-install-recommends libglib2.0-0 libgomp1 curl \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --create-home --uid 10001 clearlane \
 && mkdir -p /data && chown clearlane /data

WORKDIR /app
COPY pyproject.toml README.md ./
COPY models models
COPY customs customs
COPY dispatch dispatch
COPY vision vision
COPY routes routes
COPY migrations migrations
COPY alembic.ini ./
# Pass a CPU-only torch wheel index as TORCH_INDEX to keep the image small (no CUDA libraries).
ARG TORCH_INDEX=""
RUN pip install ${TORCH_INDEX:+--extra-index-url "$TORCH_INDEX"} . \
 && python -c "import routes.app, vision, dispatch"

USER clearlane
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD curl -fsS http://127.0.0.1:8000/health || exit 1
# Migrate, then serve. CLEARLANE_SECRET_KEY must be set (the app refuses the default here).
# Workers: one per CPU the container may use (--cpus counts); CLEARLANE_WEB_WORKERS overrides.
CMD ["sh", "-c", "alembic upgrade head && exec uvicorn routes.app:app --host 0.0.0.0 --port 8000 --workers \"$(python -m customs.web_workers)\" --limit-concurrency 64 --proxy-headers"]
