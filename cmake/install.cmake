# `make install` and `make deb`: what an installed homeport is made of.
#   bin/homeport                        the one binary
#   include/homeport/*.h                the client library's API, for device integrators
#   lib/<arch>/libhomeport.a            the client library (agent, provisioning, tlog, crypto, common)
#   lib/<arch>/pkgconfig/homeport.pc    how to link it
#   share/homeport/schemas/             the shipped Glean schemas (serve --schemas)
#   share/homeport/geo/                 the verifier's IP-to-country and IP-to-ASN data
#   share/homeport/prometheus/          alerting rules (and their promtool unit tests)
#   share/homeport/grafana/             the Grafana dashboard
#   share/doc/homeport/                 README, docs/
include(GNUInstallDirs)

install(TARGETS homeport RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/homeport
        DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})

# libhomeport.a: the modules a device links, merged into one archive (an `ar` MRI script), so
# that an integrator links one library plus its system dependencies (homeport.pc).
set(client_modules homeport_agent homeport_provisioning homeport_tlog homeport_crypto homeport_common)
set(mri "CREATE ${PROJECT_BINARY_DIR}/libhomeport.a\n")
foreach(m ${client_modules})
  string(APPEND mri "ADDLIB $<TARGET_FILE:${m}>\n")
endforeach()
string(APPEND mri "SAVE\nEND\n")
file(GENERATE OUTPUT ${PROJECT_BINARY_DIR}/libhomeport.mri CONTENT "${mri}")
add_custom_command(OUTPUT ${PROJECT_BINARY_DIR}/libhomeport.a
                   COMMAND ${CMAKE_COMMAND} -E rm -f ${PROJECT_BINARY_DIR}/libhomeport.a
                   COMMAND ${CMAKE_AR} -M < ${PROJECT_BINARY_DIR}/libhomeport.mri
                   COMMAND ${CMAKE_STRIP} --strip-debug ${PROJECT_BINARY_DIR}/libhomeport.a
                   DEPENDS ${client_modules} ${PROJECT_BINARY_DIR}/libhomeport.mri
                   COMMENT "libhomeport.a: the client library in one archive")
add_custom_target(libhomeport ALL DEPENDS ${PROJECT_BINARY_DIR}/libhomeport.a)
install(FILES ${PROJECT_BINARY_DIR}/libhomeport.a DESTINATION ${CMAKE_INSTALL_LIBDIR})
# Relative to the .pc file itself, so that the tree may be installed anywhere (DESTDIR too).
file(RELATIVE_PATH PC_TO_PREFIX "/root/${CMAKE_INSTALL_LIBDIR}/pkgconfig" "/root")
configure_file(${PROJECT_SOURCE_DIR}/packaging/homeport.pc.in ${PROJECT_BINARY_DIR}/homeport.pc
               @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/homeport.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)

install(DIRECTORY ${PROJECT_SOURCE_DIR}/schemas/ DESTINATION ${CMAKE_INSTALL_DATADIR}/homeport/schemas)
# The geo data comes from npm (scripts/install-deps.sh); installed flat, with its licences.
set(geo ${PROJECT_SOURCE_DIR}/node_modules/@ip-location-db)
install(FILES ${geo}/geo-whois-asn-country-mmdb/geo-whois-asn-country.mmdb
              ${geo}/asn/asn-ipv4-num.csv ${geo}/asn/asn-ipv6-num.csv
        DESTINATION ${CMAKE_INSTALL_DATADIR}/homeport/geo)
install(FILES ${geo}/geo-whois-asn-country-mmdb/NRO_LICENSE
        DESTINATION ${CMAKE_INSTALL_DATADIR}/homeport/geo RENAME NRO_LICENSE)
install(FILES ${geo}/asn/DBIP-LICENSE ${geo}/asn/ROUTEVIEWS-LICENSE
        DESTINATION ${CMAKE_INSTALL_DATADIR}/homeport/geo)
# The ASN package's version (a compiled table made from other data is stale) and the compiled
# table the build made from these CSV files (cmake/geo_data.cmake), which audits map at start.
install(FILES ${geo}/asn/package.json DESTINATION ${CMAKE_INSTALL_DATADIR}/homeport/geo
        RENAME asn-package.json)
install(FILES ${PROJECT_BINARY_DIR}/geo/homeport-asn.bin
        DESTINATION ${CMAKE_INSTALL_DATADIR}/homeport/geo OPTIONAL)
# For operators who run Prometheus and Grafana (docs/operations.md, "Prometheus and Grafana").
install(FILES ${PROJECT_SOURCE_DIR}/deploy/prometheus/homeport-alerts.yml
              ${PROJECT_SOURCE_DIR}/deploy/prometheus/homeport-alerts_test.yml
        DESTINATION ${CMAKE_INSTALL_DATADIR}/homeport/prometheus)
install(FILES ${PROJECT_SOURCE_DIR}/deploy/grafana/homeport.json
        DESTINATION ${CMAKE_INSTALL_DATADIR}/homeport/grafana)
# The service: the unit, and an example configuration to copy to /etc/homeport/homeport.toml.
install(FILES ${PROJECT_SOURCE_DIR}/packaging/homeport.service
        DESTINATION lib/systemd/system)
install(FILES ${PROJECT_SOURCE_DIR}/packaging/homeport.toml
        DESTINATION ${CMAKE_INSTALL_DOCDIR}/examples)
install(FILES ${PROJECT_SOURCE_DIR}/README.md DESTINATION ${CMAKE_INSTALL_DOCDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/docs/ DESTINATION ${CMAKE_INSTALL_DOCDIR}/docs)

# The Debian package (cpack -G DEB, `make deb`): build/homeport_<version>_<arch>.deb, its
# runtime dependencies found by dpkg-shlibdeps, the binary stripped, its debug info in
# homeport-dbgsym_<version>_<arch>.ddeb.
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME homeport)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_DIRECTORY ${PROJECT_BINARY_DIR})
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "region-locked device activation and opt-in UX telemetry, with a verifier")
set(CPACK_PACKAGE_DESCRIPTION
    "homeport serves a region's warranty activations and opt-in UX-program pings so that a "
    "device reports only to its own region's servers, only what it must and only what its user "
    "agreed to; homeport audit checks a firmware build or a packet capture against that promise.")
set(CPACK_PACKAGE_CONTACT "homeport maintainers <homeport@example.com>")
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# CPack's DEB generator splits the debug info of every unstripped executable out (by build id)
# and strips the packaged file.
set(CPACK_DEBIAN_DEBUGINFO_PACKAGE ON)
include(CPack)
