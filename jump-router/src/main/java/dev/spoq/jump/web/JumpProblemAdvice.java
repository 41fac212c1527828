package dev.spoq.jump.web;

import dev.spoq.common.web.ProblemDetailsAdvice;
import org.springframework.web.bind.annotation.RestControllerAdvice;

/** The router's problem responses: the shared mappings; it has no domain errors of its own. */
@RestControllerAdvice
class JumpProblemAdvice extends ProblemDetailsAdvice {}
