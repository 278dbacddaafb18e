# The verifier's geo data as the build's programs read it: ${PROJECT_BINARY_DIR}/geo holds links
# to the npm packages' files (scripts/install-deps.sh puts them in node_modules/@ip-location-db)
# and the compiled ASN table, made by the homeport just built (`homeport geo compile`), so that
# an audit maps the table instead of parsing 30 MB of CSV (src/audit/geo.h). The same folder,
# flat, is what `make install` puts in share/homeport/geo (cmake/install.cmake). Programs of the
# build use it once the table exists (audit::DefaultGeoDirectory), the npm folder until then.
set(geo_npm ${PROJECT_SOURCE_DIR}/node_modules/@ip-location-db)
set(geo_built ${PROJECT_BINARY_DIR}/geo)
set(geo_files
    geo-whois-asn-country-mmdb/geo-whois-asn-country.mmdb geo-whois-asn-country.mmdb
    asn/asn-ipv4-num.csv asn-ipv4-num.csv
    asn/asn-ipv6-num.csv asn-ipv6-num.csv
    asn/package.json asn-package.json)
if(EXISTS ${geo_npm}/asn/asn-ipv4-num.csv AND EXISTS ${geo_npm}/asn/asn-ipv6-num.csv)
  file(MAKE_DIRECTORY ${geo_built})
  set(geo_sources)
  list(LENGTH geo_files n)
  math(EXPR last "${n} - 1")
  foreach(i RANGE 0 ${last} 2)
    math(EXPR j "${i} + 1")
    list(GET geo_files ${i} from)
    list(GET geo_files ${j} to)
    file(CREATE_LINK ${geo_npm}/${from} ${geo_built}/${to} SYMBOLIC)
    list(APPEND geo_sources ${geo_npm}/${from})
  endforeach()
  add_custom_command(
    OUTPUT ${geo_built}/homeport-asn.bin
    COMMAND $<TARGET_FILE:homeport> geo compile --geo-db ${geo_npm} --out ${geo_built}/homeport-asn.bin
    DEPENDS homeport ${geo_sources}
    COMMENT "The compiled ASN table (homeport geo compile)")
  add_custom_target(homeport_geo_data ALL DEPENDS ${geo_built}/homeport-asn.bin)
else()
  message(STATUS "No geo data in ${geo_npm} (scripts/install-deps.sh installs it): the build "
                 "makes no compiled ASN table")
endif()
