package io.capwatch.rule;

import java.io.Serializable;
import java.util.List;

/** The rule's identity and documentation, copied into every alert it raises. */
public record RuleMetadata(
        String id,
        String name,
        int version,
        String description,
        List<String> author,
        String license,
        List<String> references,
        String threatFramework,
        String tacticId,
        String tacticName,
        String tacticReference,
        String techniqueId,
        String techniqueName,
        String techniqueReference,
        String triage,
        String falsePositives)
        implements Serializable {}
