# syntax=docker/dockerfile:1
# Multi-stage build: SQLite needs cgo, so the builder has gcc and the runtime
# has glibc (Debian slim), not scratch.

FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=1 go build -tags sqlite_fts5 -trimpath -ldflags="-s -w" -o /out/masthead .

FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates tzdata \
    && rm -rf /var/lib/apt/lists/* \
    && groupadd --system --gid 10001 masthead \
    && useradd --system --uid 10001 --gid masthead --home-dir /data --shell /usr/sbin/nologin masthead \
    && mkdir -p /data && chown masthead:masthead /data
COPY --from=build /out/masthead /usr/local/bin/masthead
USER masthead:masthead
ENV MASTHEAD_ADDR=0.0.0.0:8080 \
    MASTHEAD_DATA=/data
VOLUME ["/data"]
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["/usr/local/bin/masthead", "health"]
ENTRYPOINT ["/usr/local/bin/masthead"]
CMD ["serve"]
