# Stand-in for python:3.11-slim-bookworm, built from Debian packages where the
# public image cannot be pulled (docker/standins/build.sh).  What the project's
# Dockerfile relies on: `python` and `pip` on PATH for Python 3.11, system-wide
# installs allowed (as in the official image), apt-get, ca-certificates.
FROM dua-standin/debian:bookworm
LABEL org.opencontainers.image.description="stand-in for python:3.11-slim-bookworm, from Debian packages"
COPY ca/ /usr/local/share/ca-certificates/dua/
RUN printf 'deb http://deb.debian.org/debian bookworm main\ndeb http://deb.debian.org/debian bookworm-updates main\ndeb http://deb.debian.org/debian-security bookworm-security main\n' > /etc/apt/sources.list \
    && apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
        python3.11 python3-pip python3-venv ca-certificates \
    && update-ca-certificates \
    && rm -rf /var/lib/apt/lists/* \
    && rm -f /usr/lib/python3.11/EXTERNALLY-MANAGED \
    && ln -s /usr/bin/python3.11 /usr/local/bin/python \
    && ln -s /usr/bin/python3.11 /usr/local/bin/python3 \
    && ln -s /usr/bin/pip3 /usr/local/bin/pip
ENV LANG=C.UTF-8
CMD ["python3"]
