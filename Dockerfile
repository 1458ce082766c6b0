# syntax=docker/dockerfile:1
# One Dockerfile, one target per runnable, all built from this repository's Maven artifacts:
#   docker build --target edge     -t parley/edge .
#   docker build --target topology -t parley/topology .
#   docker build --target connect  -t parley/connect .
# docker-compose.yml builds all three. ClusterDeploymentTest checks every ENTRYPOINT class exists.
# The edge image also runs the migrate step (entrypoint dev.parley.edge.Migrate: compose's `migrate`).

FROM eclipse-temurin:17-jdk AS build
WORKDIR /src
COPY . .
RUN ./mvnw -B -q -DskipTests -pl edge,topology,connectors -am install \
 && ./mvnw -B -q -pl edge dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory=/out/edge \
 && cp edge/target/parley-edge-*.jar /out/edge/ \
 && ./mvnw -B -q -pl topology dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory=/out/topology \
 && cp topology/target/parley-topology-*.jar /out/topology/ \
 && ./mvnw -B -q -pl connectors dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory=/out/plugins/parley \
 && cp connectors/target/parley-connectors-*.jar /out/plugins/parley/ \
 && ./mvnw -B -q -pl metrics dependency:copy-dependencies -DincludeScope=runtime -DexcludeArtifactIds=slf4j-api -DoutputDirectory=/out/metrics \
 && cp metrics/target/parley-metrics-*.jar /out/metrics/

FROM eclipse-temurin:17-jre AS edge
COPY --from=build /out/edge /opt/parley/lib
EXPOSE 8080
# settings: PARLEY_* environment variables (README, "Edge" table)
ENTRYPOINT ["java", "-XX:MaxRAMPercentage=75", "-XX:+UseG1GC", "-cp", "/opt/parley/lib/*", "dev.parley.edge.EdgeMain"]

FROM eclipse-temurin:17-jre AS topology
COPY --from=build /out/topology /opt/parley/lib
# settings: PARLEY_* environment variables (README, "Topology" table); state lives in PARLEY_STATE_DIR
# Prometheus /metrics on PARLEY_METRICS_PORT
EXPOSE 9464
ENTRYPOINT ["java", "-XX:MaxRAMPercentage=75", "-XX:+UseG1GC", "-cp", "/opt/parley/lib/*", "dev.parley.topology.TopologyMain"]

FROM apache/kafka:4.2.2 AS connect
COPY --from=build /out/plugins /opt/parley/plugins
COPY deploy/connect-distributed.properties /opt/parley/connect-distributed.properties
# the Prometheus metrics reporter the worker config names: on the worker's class path, not a plugin
COPY --from=build /out/metrics /opt/parley/metrics
ENV CLASSPATH=/opt/parley/metrics/*
EXPOSE 8083 9465
ENTRYPOINT ["/opt/kafka/bin/connect-distributed.sh", "/opt/parley/connect-distributed.properties"]
