namespace DPoP.Http.Internal;

/// <summary>
/// The rules <see cref="DPoPTokenClientOptions"/> must meet, shared by the client's constructor and start-up validation:
/// the ranges are attributes checked by generated code (<see cref="DPoPTokenClientOptionsAttributes"/>), the rest —
/// endpoints, credentials for the authentication method, assertion key, parameter names — are written here.
/// </summary>
internal static class DPoPTokenClientOptionsRules
{
    private static readonly DPoPTokenClientOptionsAttributes Attributes = new();

    public static List<string> Check(DPoPTokenClientOptions options) => Check(options, options.ClientAssertionProvider is not null);

    public static List<string> Check(DPoPTokenClientOptions options, bool hasAssertionProvider)
    {
        var problems = new List<string>();
        // The rules of every request URI (DPoPProof.Create, the handler), so that a bad endpoint stops start-up, not a request.
        if ((options.TokenEndpoint is { } endpoint ? DPoPTargetUri.Problem(endpoint) : "It is not set.") is { } endpointProblem)
        {
            problems.Add($"TokenEndpoint must be an absolute http or https URI without user information. {endpointProblem}");
        }

        if (options.RevocationEndpoint is { } revocation && DPoPTargetUri.Problem(revocation) is { } revocationProblem)
        {
            problems.Add($"RevocationEndpoint must be an absolute http or https URI without user information. {revocationProblem}");
        }

        if (string.IsNullOrWhiteSpace(options.ClientId))
        {
            problems.Add("ClientId is required.");
        }

        switch (options.ClientAuthentication)
        {
            case DPoPClientAuthenticationMethod.ClientSecretBasic or DPoPClientAuthenticationMethod.ClientSecretPost when string.IsNullOrEmpty(options.ClientSecret):
                problems.Add($"ClientSecret is required for {options.ClientAuthentication}.");
                break;
            case DPoPClientAuthenticationMethod.PrivateKeyJwt:
                CheckAssertionKey(options, hasAssertionProvider, problems);
                break;
            case DPoPClientAuthenticationMethod.ClientSecretBasic or DPoPClientAuthenticationMethod.ClientSecretPost or DPoPClientAuthenticationMethod.None:
                break;
            case DPoPClientAuthenticationMethod.TlsClientAuth or DPoPClientAuthenticationMethod.SelfSignedTlsClientAuth:
                // RFC 8705 §2: the TLS client certificate authenticates, which only the HttpClient's handler knows of.
                break;
            default:
                problems.Add("ClientAuthentication is not a known method.");
                break;
        }

        foreach (var (name, value) in options.Parameters)
        {
            if (DPoPTokenRequestParameters.Problem(name, value) is { } problem)
            {
                problems.Add($"Parameters: {problem}");
            }
        }

        // SharedCacheTimeout's bound is well under the 10 s attempt timeout of AddStandardResilienceHandler: a slow cache must not fail a request.
        problems.AddRange(GeneratedOptionsRules.Problems(Attributes.Validate(null, options)));
        return problems;
    }

    public static DPoPKey LoadAssertionKey(DPoPTokenClientOptions options) =>
        DPoPKeyText.Load(options.ClientAssertionKey, options.ClientAssertionKeyPath, options.ClientAssertionAlgorithm);

    private static void CheckAssertionKey(DPoPTokenClientOptions options, bool hasAssertionProvider, List<string> problems)
    {
        var hasInline = !string.IsNullOrEmpty(options.ClientAssertionKey);
        var hasPath = !string.IsNullOrEmpty(options.ClientAssertionKeyPath);
        if (hasAssertionProvider)
        {
            if (hasInline || hasPath)
            {
                problems.Add("PrivateKeyJwt takes either a client assertion provider or a key (ClientAssertionKey, ClientAssertionKeyPath), not both.");
            }

            return;
        }

        if (hasInline == hasPath)
        {
            problems.Add("PrivateKeyJwt needs exactly one of ClientAssertionKey and ClientAssertionKeyPath, or a client assertion provider (AddDPoPClientAssertionProvider<T>()).");
            return;
        }

        if (options.ClientAssertionAlgorithm is { } algorithm && !DPoPAlgorithms.IsSupported(algorithm))
        {
            problems.Add($"ClientAssertionAlgorithm is not a supported algorithm (supported: {string.Join(", ", DPoPAlgorithms.Supported)}).");
            return;
        }

        if (DPoPKeyText.Problem(options.ClientAssertionKey, options.ClientAssertionKeyPath, options.ClientAssertionAlgorithm, "ClientAssertionKey", "ClientAssertionKeyPath") is { } problem)
        {
            problems.Add(problem);
        }
    }
}
