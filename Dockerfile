# Build for Airbyte's platform: docker buildx build --platform linux/amd64 -t <registry>/source-customer-io-ts:0.1.0 .
# The context is the repository root (npm workspaces: this source, kit/ and destination/); .dockerignore keeps it
# to what this image needs. The destination image is destination/Dockerfile, built from the same root.
#
# Node 24 is the active LTS line. The tag names the exact release the suite also runs on (`npm run test:node24`,
# part of .ci/run; test/packaging.test.ts keeps the two equal). Pin it by digest too once you can resolve it:
#   docker buildx imagetools inspect node:24.21.0-slim   ->   FROM node:24.21.0-slim@sha256:<digest>

# ---- build stage: compile kit/ and the source to kit/dist/ and dist/ ----
FROM node:24.21.0-slim AS build
WORKDIR /build
# npm ci on a workspace root needs every workspace's package.json (the lockfile lists them all).
COPY package.json package-lock.json ./
COPY kit/package.json ./kit/
COPY destination/package.json ./destination/
RUN npm ci --no-audit --no-fund
COPY tsconfig*.json ./
COPY kit/tsconfig.build.json ./kit/
COPY kit/src/ ./kit/src/
COPY src/ ./src/
# kit first (the source imports its dist/ through node_modules/@cio-connectors/kit), then the source; not the
# destination.
RUN npm run build --workspace=kit && npx tsc -p tsconfig.build.json

# ---- runtime stage: production dependencies, compiled code and stream schemas only ----
FROM node:24.21.0-slim
ENV NODE_ENV=production TZ=UTC
WORKDIR /airbyte/integration_code
COPY package.json package-lock.json ./
COPY kit/package.json ./kit/
COPY destination/package.json ./destination/
# The root's and kit's production dependencies, and the node_modules/@cio-connectors/kit -> ../../kit link.
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund --workspace=kit --include-workspace-root \
  && npm cache clean --force
COPY --from=build /build/dist/ ./dist/
COPY --from=build /build/kit/dist/ ./kit/dist/
# The connector reads schemas/<stream>.json at runtime from ../schemas relative to dist/.
COPY schemas/ ./schemas/
COPY LICENSE ./
# /airbyte stays writable for the user the connector runs as (Airbyte may place files there); the code and
# dependencies stay read-only to it.
RUN chown node:node /airbyte /airbyte/integration_code

USER node

# AIRBYTE_ENTRYPOINT must equal the exec-form ENTRYPOINT joined by single spaces (CAT test_image_environment_variables).
ENV AIRBYTE_ENTRYPOINT="node /airbyte/integration_code/dist/main.js"
ENTRYPOINT ["node", "/airbyte/integration_code/dist/main.js"]

# Must equal metadata.yaml data.dockerRepository / data.dockerImageTag (CAT test_image_labels).
LABEL io.airbyte.name=airbyte/source-customer-io-ts
LABEL io.airbyte.version=0.1.0
