package dev.spoq.testsupport.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.Test;

class TestPostgresTest {

  @Test
  void givesEachCallerAFreshDatabaseOnARealServer() throws Exception {
    TestPostgres.Database first = TestPostgres.newDatabase("first");
    TestPostgres.Database second = TestPostgres.newDatabase("second");
    assertThat(first.jdbcUrl()).isNotEqualTo(second.jdbcUrl());
    assertThat(TestPostgres.kind()).isIn("testcontainers", "embedded");

    try (Connection c =
            DriverManager.getConnection(first.jdbcUrl(), first.username(), first.password());
        Statement st = c.createStatement()) {
      st.execute("CREATE TABLE marker (id int)");
      try (ResultSet rs = st.executeQuery("SELECT version()")) {
        assertThat(rs.next()).isTrue();
        assertThat(rs.getString(1)).startsWith("PostgreSQL");
      }
    }
    try (Connection c =
            DriverManager.getConnection(second.jdbcUrl(), second.username(), second.password());
        Statement st = c.createStatement();
        ResultSet rs =
            st.executeQuery(
                "SELECT count(*) FROM information_schema.tables WHERE table_name = 'marker'")) {
      rs.next();
      assertThat(rs.getInt(1)).isZero();
    }
  }
}
