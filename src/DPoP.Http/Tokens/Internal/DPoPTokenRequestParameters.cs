namespace DPoP.Http.Internal;

/// <summary>The extra form parameters a token request may carry, and the names it may not (those the protocol and the client set).</summary>
internal static class DPoPTokenRequestParameters
{
    private static readonly HashSet<string> Reserved = new(StringComparer.Ordinal)
    {
        "grant_type", "client_id", "client_secret", "client_assertion", "client_assertion_type",
        "code", "redirect_uri", "code_verifier", "refresh_token",
        "subject_token", "subject_token_type", "actor_token", "actor_token_type", "requested_token_type",
        "scope", "resource", "audience",
    };

    /// <summary>Why the parameter may not be sent, or null when it may.</summary>
    public static string? Problem(string? name, string? value)
    {
        if (string.IsNullOrEmpty(name))
        {
            return "A parameter name must not be empty.";
        }

        if (value is null)
        {
            return $"The value of parameter '{name}' must not be null.";
        }

        return name switch
        {
            "scope" => "The parameter 'scope' is reserved: set the Scope property (or the scope argument) instead.",
            "resource" => "The parameter 'resource' is reserved: add to the Resources property instead.",
            "audience" => "The parameter 'audience' is reserved: set the Audience property instead.",
            _ when Reserved.Contains(name) => $"The parameter '{name}' is reserved: the token client sets it itself.",
            _ => null,
        };
    }

    /// <summary>Adds parameters given to a public method, refusing reserved names with an <see cref="ArgumentException"/> naming <paramref name="parameterName"/>.</summary>
    public static void AddChecked(IDictionary<string, string> target, IEnumerable<KeyValuePair<string, string>>? parameters, string parameterName)
    {
        if (parameters is null)
        {
            return;
        }

        foreach (var (name, value) in parameters)
        {
            if (Problem(name, value) is { } problem)
            {
                throw new ArgumentException(problem, parameterName);
            }

            target[name] = value;
        }
    }
}
