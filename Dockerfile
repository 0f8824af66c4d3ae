# syntax=docker/dockerfile:1
# Gatehouse: build everything in one stage, install production dependencies only in another,
# run as the unprivileged `node` user. `docker build -t gatehouse .`

ARG NODE_IMAGE=node:20.20.2-bookworm-slim

FROM ${NODE_IMAGE} AS base
ENV TURBO_TELEMETRY_DISABLED=1 \
    # better-sqlite3 is compiled against the headers of the Node in the image.
    npm_config_nodedir=/usr/local
RUN npm install -g pnpm@12.4.2
WORKDIR /app

# Compilers for better-sqlite3 when no prebuilt binary fits.
FROM base AS toolchain
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*

FROM toolchain AS build
COPY . .
RUN pnpm install --frozen-lockfile
RUN pnpm exec turbo run build --filter=@gatehouse/server... --filter=@gatehouse/web --output-logs=errors-only

# The server's production dependencies and nothing else (the whole workspace is copied so the
# frozen lockfile matches; only the server's packages are taken from this stage).
FROM toolchain AS prod-deps
COPY . .
RUN pnpm install --frozen-lockfile --prod --filter "@gatehouse/server..."

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    DATA_DIR=/data \
    DATABASE_URL=file:/data/gatehouse.db
WORKDIR /app
COPY --from=prod-deps /app/node_modules ./node_modules
COPY --from=prod-deps /app/package.json ./
COPY --from=prod-deps /app/packages/db ./packages/db
COPY --from=prod-deps /app/packages/core ./packages/core
COPY --from=prod-deps /app/packages/api ./packages/api
COPY --from=prod-deps /app/apps/server ./apps/server
COPY --from=build /app/packages/db/dist ./packages/db/dist
COPY --from=build /app/packages/db/migrations ./packages/db/migrations
COPY --from=build /app/packages/core/dist ./packages/core/dist
COPY --from=build /app/packages/api/dist ./packages/api/dist
COPY --from=build /app/apps/server/dist ./apps/server/dist
# The web demo the server serves at / (optional: the server runs without it).
COPY --from=build /app/apps/web/dist ./apps/web/dist
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME /data
EXPOSE 3000
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/readyz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# Migrations first, then the server. `exec` replaces the shell with node, so `docker stop`
# (SIGTERM) reaches the server itself and in-flight requests finish.
CMD ["sh", "-c", "node apps/server/dist/main.js migrate && exec node --enable-source-maps apps/server/dist/main.js serve"]
