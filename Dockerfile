# hppbot as a container: a static binary on a distroless base, run as a
# non-root user. Build with `docker build -t hppbot .`; configure with
# environment variables (see .env.example and docs/operations.md).
#
# There is no HEALTHCHECK: the runtime image has no shell and no curl. Probe
# GET /healthz (liveness) and GET /readyz (readiness) from the orchestrator
# instead — docs/operations.md has a Kubernetes example.

# Build: a static binary, no cgo, no paths or symbols of the build machine.
FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 GOOS=linux go build -trimpath -ldflags="-s -w" -o /out/hppbot . \
 && /out/hppbot --check-config

# Run: distroless static (CA certificates for Slack and Teams, /etc/passwd
# with the nonroot user, nothing else). Time zones are built into the binary.
FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/hppbot /usr/local/bin/hppbot
USER 65532:65532
ENV HPP_ADDR=:8080
EXPOSE 8080
ENTRYPOINT ["/usr/local/bin/hppbot"]
# Serve HTTP even before a chat platform is configured (a container has no
# terminal for the console). `docker run hppbot --check-config` checks the
# configuration instead.
CMD ["--serve"]
