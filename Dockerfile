# The suite as partners install it (README.md, "Install as a package"), in Playwright's official
# image of the pinned @playwright/test version, whose Chromium is the one that Playwright drives
# (tests/package.spec.ts checks that the tag follows package.json).
#   docker build -t billerapi-conformance .
#   docker run --rm -v "$PWD/reports:/work/reports" billerapi-conformance
#   docker run --rm -v "$PWD:/work" billerapi-conformance certify --env partner --base-url https://…
# The working directory /work holds the user's side of a run: reports/<env>/ and .env.partner.

# The tarball, from the package's own file list (package.json "files").
FROM mcr.microsoft.com/playwright:v1.65.1-noble AS pack
WORKDIR /src
COPY . .
RUN npm pack --pack-destination /tmp

FROM mcr.microsoft.com/playwright:v1.65.1-noble
ENV NPM_CONFIG_UPDATE_NOTIFIER=false NPM_CONFIG_FUND=false NPM_CONFIG_AUDIT=false
COPY --from=pack /tmp/billerapi-conformance-*.tgz /tmp/
RUN npm install --global /tmp/billerapi-conformance-*.tgz && rm /tmp/billerapi-conformance-*.tgz
WORKDIR /work
ENTRYPOINT ["npx", "billerapi-conformance"]
CMD ["run"]
