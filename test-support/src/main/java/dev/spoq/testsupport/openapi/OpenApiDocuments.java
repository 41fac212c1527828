package dev.spoq.testsupport.openapi;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiPredicate;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerMapping;

/**
 * Checks shared by every service's OpenAPI test: each controller mapping is in the served document,
 * and the copy committed under {@code docs/api/} is the served one. Run a service's OpenAPI test
 * with {@code -Dspoq.openapi.write=true} to regenerate its copy.
 */
public final class OpenApiDocuments {

  private OpenApiDocuments() {}

  /**
   * "VERB /path" of each handler declared in {@code packagePrefix} that the document lacks.
   *
   * @param documented answers whether the document has an operation for (path, lower-case verb)
   */
  public static List<String> undocumented(
      RequestMappingHandlerMapping mapping,
      String packagePrefix,
      BiPredicate<String, String> documented) {
    List<String> missing = new ArrayList<>();
    mapping
        .getHandlerMethods()
        .forEach(
            (info, method) -> {
              if (!method.getBeanType().getPackageName().startsWith(packagePrefix)) {
                return;
              }
              for (String path : info.getPatternValues()) {
                for (var verb : info.getMethodsCondition().getMethods()) {
                  if (!documented.test(path, verb.name().toLowerCase())) {
                    missing.add(verb + " " + path);
                  }
                }
              }
            });
    return missing;
  }

  /**
   * The committed copy's text, to compare with {@code served}. With {@code
   * -Dspoq.openapi.write=true} the copy is first rewritten from {@code served}.
   */
  public static String committedCopy(Path committed, String served) throws IOException {
    if (Boolean.getBoolean("spoq.openapi.write")) {
      Files.createDirectories(committed.getParent());
      Files.writeString(committed, served, StandardCharsets.UTF_8);
    }
    return Files.isRegularFile(committed)
        ? Files.readString(committed, StandardCharsets.UTF_8)
        : "";
  }
}
