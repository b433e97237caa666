# Nudge image: one image, two processes.
#   API:    node dist/src/main.js    (the default CMD)
#   Worker: node dist/src/worker.js  (docker-compose.yml overrides the command)
#
# Debian (glibc), not alpine: Temporal's native core bridge (@temporalio/core-bridge) and
# @swc/core, which the worker's workflow bundler uses, ship glibc binaries.
ARG NODE_IMAGE=node:20.20.2-bookworm-slim

# ---- build: all dependencies, compile src/, workflows/ and activities/ into dist/ ----
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm \
    npm ci --no-audit --no-fund
# The context is limited by .dockerignore to what tsconfig.build.json compiles, plus templates/.
COPY . .
RUN npx nest build

# ---- prod-deps: runtime dependencies only ----
FROM ${NODE_IMAGE} AS prod-deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm \
    npm ci --omit=dev --no-audit --no-fund

# ---- runtime ----
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000
WORKDIR /app
# Owned by root and read-only to the app user. The worker bundles dist/workflows at start
# (webpack, in memory), so it needs dist/workflows and the production node_modules.
COPY --from=prod-deps /app/node_modules ./node_modules
COPY package.json ./
COPY --from=build /app/dist ./dist
# Email/SMS templates, next to dist/.
COPY templates ./templates
# The non-root user the node images ship (uid 1000).
USER node
EXPOSE 3000
# No HEALTHCHECK here: the worker runs from this image too and serves no HTTP.
# docker-compose.yml probes the API's /health/ready instead.
CMD ["node", "dist/src/main.js"]
