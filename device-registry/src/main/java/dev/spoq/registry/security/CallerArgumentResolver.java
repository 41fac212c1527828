package dev.spoq.registry.security;

import dev.spoq.common.problem.ApiProblemException;
import org.springframework.core.MethodParameter;
import org.springframework.web.bind.support.WebDataBinderFactory;
import org.springframework.web.context.request.NativeWebRequest;
import org.springframework.web.context.request.RequestAttributes;
import org.springframework.web.method.support.HandlerMethodArgumentResolver;
import org.springframework.web.method.support.ModelAndViewContainer;

/**
 * Gives controller methods the authenticated {@link Caller} (or one of its kinds) that {@link
 * AuthenticationFilter} stored; a caller of another kind is refused with 403.
 */
public class CallerArgumentResolver implements HandlerMethodArgumentResolver {

  @Override
  public boolean supportsParameter(MethodParameter parameter) {
    return Caller.class.isAssignableFrom(parameter.getParameterType());
  }

  @Override
  public Object resolveArgument(
      MethodParameter parameter,
      ModelAndViewContainer mavContainer,
      NativeWebRequest webRequest,
      WebDataBinderFactory binderFactory) {
    Object caller =
        webRequest.getAttribute(
            AuthenticationFilter.CALLER_ATTRIBUTE, RequestAttributes.SCOPE_REQUEST);
    if (caller == null) {
      throw ApiProblemException.unauthorized("A valid bearer credential is required.");
    }
    if (!parameter.getParameterType().isInstance(caller)) {
      throw ApiProblemException.forbidden("This credential may not call this endpoint.");
    }
    return caller;
  }
}
