# Daiyun API image. Build: docker build -t daiyun .
# Run:   docker run -p 3000:3000 -e DATABASE_URL=postgres://user:pass@db:5432/daiyun \
#          -e JWT_SECRET=... -e ENCRYPTION_KEYS=... daiyun
# In a container DATABASE_URL is expected: the embedded PostgreSQL is a zero-setup default for a
# developer's clone, not for production. Migrations run at start while MIGRATIONS_RUN_ON_START=true
# (under an advisory lock, so replicas starting together are safe); set it to false and run
# `node dist/src/cli/migrate.js run` as a release step to migrate separately.

ARG NODE_IMAGE=node:22-bookworm-slim

# ---- build: all dependencies, compile TypeScript (with the swagger CLI plugin) into dist/
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json nest-cli.json ./
COPY scripts ./scripts
COPY src ./src
COPY migrations ./migrations
COPY bench ./bench
RUN npm run build

# ---- production dependencies only
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

# ---- runtime: node_modules (production) + compiled app and migrations, as the unprivileged `node` user
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    MIGRATIONS_RUN_ON_START=true
WORKDIR /app
COPY --from=deps --chown=node:node /app/node_modules ./node_modules
COPY --from=build --chown=node:node /app/dist/src ./dist/src
COPY --from=build --chown=node:node /app/dist/migrations ./dist/migrations
COPY --chown=node:node package.json ./
RUN mkdir -p /app/.data && chown node:node /app/.data
USER node
EXPOSE 3000
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/health/ready').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# node itself is PID 1 and handles SIGTERM (drains requests and jobs, then exits); no npm in between.
CMD ["node", "--disable-warning=ExperimentalWarning", "dist/src/main.js"]
