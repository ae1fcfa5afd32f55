# Stand-in for nginx:alpine, built from Debian's nginx package where the public
# image cannot be pulled (docker/standins/build.sh).  What the compose file
# relies on: nginx reading /etc/nginx/conf.d/*.conf, in the foreground, and
# wget for the healthcheck.
FROM dua-standin/debian:bookworm
LABEL org.opencontainers.image.description="stand-in for nginx:alpine, from Debian packages"
RUN apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends nginx-light wget \
    && rm -rf /var/lib/apt/lists/* /etc/nginx/sites-enabled/default \
    && ln -sf /dev/stdout /var/log/nginx/access.log \
    && ln -sf /dev/stderr /var/log/nginx/error.log
EXPOSE 80
STOPSIGNAL SIGQUIT
CMD ["nginx", "-g", "daemon off;"]
