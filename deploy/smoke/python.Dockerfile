# A stand-in for python:3.11-slim built from Debian packages only (deploy/smoke.sh, run by hand
# where Docker Hub is out of reach). Like the official image: `python` and `pip` on PATH from
# /usr/local (here a venv of Debian's python3.11 there), site-packages under /usr/local/lib,
# LANG=C.UTF-8, apt sources for bookworm, -updates and -security. Unlike it: Debian's 3.11.2
# (the official one builds the newest 3.11 on Debian's current release), and the build
# machine's extra CA certificates (a TLS-inspecting proxy) trusted by pip.
ARG DEBIAN=hocso-local/debian:bookworm
FROM ${DEBIAN}
ENV LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive
RUN apt-get update \
    && apt-get install -y --no-install-recommends python3.11 python3.11-venv ca-certificates \
    && rm -rf /var/lib/apt/lists/*
COPY ca/ /usr/local/share/ca-certificates/
RUN update-ca-certificates \
    && python3.11 -m venv /usr/local \
    && /usr/local/bin/python -m pip --version
ENV PATH=/usr/local/bin:/usr/local/sbin:/usr/sbin:/usr/bin:/sbin:/bin \
    PIP_CERT=/etc/ssl/certs/ca-certificates.crt
CMD ["python3"]
