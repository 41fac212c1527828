package dev.spoq.registry.account;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

@Repository
public class AccountRepository {

  private static final String COLUMNS = "id, username, subdomain, product, created_at";

  private final JdbcClient jdbc;

  AccountRepository(JdbcClient jdbc) {
    this.jdbc = jdbc;
  }

  public Optional<Account> findByUsername(String username) {
    return jdbc.sql("SELECT " + COLUMNS + " FROM account WHERE username = ?")
        .param(username)
        .query(AccountRepository::map)
        .optional();
  }

  public Optional<Account> findById(UUID id) {
    return jdbc.sql("SELECT " + COLUMNS + " FROM account WHERE id = ?")
        .param(id)
        .query(AccountRepository::map)
        .optional();
  }

  boolean subdomainTaken(String subdomain) {
    return jdbc.sql("SELECT count(*) FROM account WHERE subdomain = ?")
            .param(subdomain)
            .query(Long.class)
            .single()
        > 0;
  }

  List<Account> findAll(int limit, int offset) {
    return jdbc.sql("SELECT " + COLUMNS + " FROM account ORDER BY username LIMIT ? OFFSET ?")
        .params(limit, offset)
        .query(AccountRepository::map)
        .list();
  }

  Account insert(String username, String subdomain, Product product) {
    return jdbc.sql(
            "INSERT INTO account (username, subdomain, product) VALUES (?, ?, ?) RETURNING "
                + COLUMNS)
        .params(username, subdomain, product.name())
        .query(AccountRepository::map)
        .single();
  }

  static Account map(ResultSet rs, int n) throws SQLException {
    return new Account(
        rs.getObject("id", UUID.class),
        rs.getString("username"),
        rs.getString("subdomain"),
        Product.valueOf(rs.getString("product")),
        rs.getTimestamp("created_at").toInstant());
  }
}
