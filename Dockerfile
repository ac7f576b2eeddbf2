# rfm — the HTTP API (`rfm serve`) in a container.
#
#   docker build -t rfm .
#   docker run --rm -p 8000:8000 rfm                         # the baked CDNOW model
#   docker run --rm -p 8000:8000 -v "$PWD/models:/models:ro" rfm   # your /models/rfm-model.json
#   docker run --rm -p 8000:8000 -e RFM_API_TOKEN=s3cret rfm # every route but /health needs the token
#   docker run --rm -v "$PWD:/data" rfm fit /data/tx.csv -m /data/rfm-model.json   # any other command
#
#   docker run --rm -p 9000:9000 -e PORT=9000 rfm             # another port ($PORT, or serve --port)
#
# Node 24 (LTS, supported until April 2028; the README says why not 26 yet).
# Stage 1 installs exactly the lockfile (npm ci), compiles TypeScript, fits the default model on
# the committed CDNOW fixture, then drops the dev dependencies. Stage 2 is the runtime: Node,
# the pruned node_modules, dist/ and bin/, the model, a non-root user.

FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# --ignore-scripts: `prepare` (the build) needs the sources, copied next; no dependency has an install script.
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json ./
COPY bin ./bin
COPY src ./src
COPY assets ./assets
RUN npm run build
COPY fixtures/cdnow/CDNOW_master.txt ./fixtures/cdnow/CDNOW_master.txt
RUN mkdir -p /models \
 && node bin/rfm.js fit fixtures/cdnow/CDNOW_master.txt -m /models/rfm-model.json -q --format json > /dev/null
RUN npm prune --omit=dev --ignore-scripts --no-audit --no-fund

FROM node:24-bookworm-slim
ENV NODE_ENV=production \
    RFM_MODEL=/models/rfm-model.json
WORKDIR /app
COPY --from=build /app/package.json /app/package-lock.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/bin ./bin
COPY --from=build /app/assets ./assets
COPY --from=build /models /models
COPY docker/healthcheck.mjs ./docker/healthcheck.mjs
# The package's bin on PATH, as a global npm install would link it.
RUN ln -s /app/bin/rfm.js /usr/local/bin/rfm
# node images ship the unprivileged user "node" (uid 1000).
USER node
EXPOSE 8000
# The port is the one serve listens on (--port, else $PORT, else 8000): see docker/healthcheck.mjs.
HEALTHCHECK --interval=30s --timeout=3s --start-period=5s \
  CMD ["node", "/app/docker/healthcheck.mjs"]
ENTRYPOINT ["rfm"]
CMD ["serve", "--host", "0.0.0.0"]
