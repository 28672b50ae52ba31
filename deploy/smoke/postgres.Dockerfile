# A stand-in for the postgres image that compose.yaml's `db` uses, from Debian's postgresql-15
# (deploy/smoke.sh; bookworm has no 16). It honours what compose.yaml relies on: POSTGRES_DB,
# POSTGRES_USER and POSTGRES_PASSWORD at first start, data in /var/lib/postgresql/data,
# password (scram) logins over the network, `pg_isready` on PATH, fast shutdown on stop.
ARG DEBIAN=hocso-local/debian:bookworm
FROM ${DEBIAN}
ENV LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive
RUN mkdir -p /etc/postgresql-common \
    && echo "create_main_cluster = false" > /etc/postgresql-common/createcluster.conf \
    && apt-get update \
    && apt-get install -y --no-install-recommends postgresql-15 \
    && rm -rf /var/lib/apt/lists/*
ENV PATH=/usr/lib/postgresql/15/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    PGDATA=/var/lib/postgresql/data
COPY postgres-entrypoint.sh /usr/local/bin/
VOLUME ["/var/lib/postgresql/data"]
EXPOSE 5432
STOPSIGNAL SIGINT
ENTRYPOINT ["/usr/local/bin/postgres-entrypoint.sh"]
CMD ["postgres"]
