# ---- build stage: compile TypeScript to dist/ ----
FROM node:20-slim AS build
WORKDIR /build
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig*.json ./
COPY src/ ./src/
RUN npm run build

# ---- runtime stage: production dependencies, compiled code and stream schemas only ----
FROM node:20-slim
ENV NODE_ENV=production TZ=UTC
WORKDIR /airbyte/integration_code
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force
COPY --from=build /build/dist/ ./dist/
# The connector reads schemas/<stream>.json at runtime from ../schemas relative to dist/.
COPY schemas/ ./schemas/

USER node

# AIRBYTE_ENTRYPOINT must equal the exec-form ENTRYPOINT joined by single spaces (CAT test_image_environment_variables).
ENV AIRBYTE_ENTRYPOINT="node /airbyte/integration_code/dist/main.js"
ENTRYPOINT ["node", "/airbyte/integration_code/dist/main.js"]

# Must equal metadata.yaml data.dockerRepository / data.dockerImageTag (CAT test_image_labels).
LABEL io.airbyte.name=airbyte/source-customer-io-ts
LABEL io.airbyte.version=0.1.0
