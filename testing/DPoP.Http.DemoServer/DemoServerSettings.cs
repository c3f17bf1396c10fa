using System.Collections.Frozen;

namespace DPoP.Http.DemoServer;

/// <summary>A validated, immutable copy of <see cref="DemoServerOptions"/>, taken when the server starts.</summary>
internal sealed class DemoServerSettings
{
    // RFC 9449 §4.3: only asymmetric JWS algorithms; these are the ones Microsoft.IdentityModel verifies.
    private static readonly FrozenSet<string> AsymmetricAlgorithms =
        FrozenSet.Create(StringComparer.Ordinal, "ES256", "ES384", "ES512", "RS256", "RS384", "RS512", "PS256", "PS384", "PS512");

    private DemoServerSettings(DemoServerOptions options)
    {
        RequireNonceAtTokenEndpoint = options.RequireNonceAtTokenEndpoint;
        RequireNonceAtResource = options.RequireNonceAtResource;
        NonceLifetime = options.NonceLifetime;
        ProofLifetime = options.ProofLifetime;
        AccessTokenLifetime = options.AccessTokenLifetime;
        AllowedAlgorithms = [.. options.AllowedAlgorithms];
        Clients = options.Clients.ToFrozenDictionary(StringComparer.Ordinal);
        TimeProvider = options.TimeProvider;
        Port = options.Port;
        IssueBearerTokens = options.IssueBearerTokens;
        OnEvent = options.OnEvent;
        WebClients = options.WebClients.ToFrozenDictionary(client => client.ClientId, client => new RegisteredWebClient(client), StringComparer.Ordinal);
        Users = [.. options.Users];
        SignInAutomatically = options.SignInAutomatically;
        RequirePushedAuthorizationRequests = options.RequirePushedAuthorizationRequests;
        AuthorizationCodeLifetime = options.AuthorizationCodeLifetime;
        RefreshTokenLifetime = options.RefreshTokenLifetime;
        IdTokenLifetime = options.IdTokenLifetime;

        // The token endpoint authenticates both kinds of clients; a web client's secret wins over nothing else,
        // since the two lists may not share an id.
        var secrets = new Dictionary<string, string>(options.Clients, StringComparer.Ordinal);
        foreach (var client in options.WebClients)
        {
            secrets[client.ClientId] = client.ClientSecret;
        }

        ClientSecrets = secrets.ToFrozenDictionary(StringComparer.Ordinal);
    }

    public bool RequireNonceAtTokenEndpoint { get; }

    public bool RequireNonceAtResource { get; }

    public TimeSpan NonceLifetime { get; }

    public TimeSpan ProofLifetime { get; }

    public TimeSpan AccessTokenLifetime { get; }

    /// <summary>The allowed algorithms in the order configured (the order of the <c>algs</c> challenge parameter).</summary>
    public IReadOnlyList<string> AllowedAlgorithms { get; }

    public FrozenDictionary<string, string> Clients { get; }

    public TimeProvider TimeProvider { get; }

    public int Port { get; }

    public bool IssueBearerTokens { get; }

    public Action<DemoServerEvent>? OnEvent { get; }

    /// <summary>The web clients (authorization code flow) by client id.</summary>
    public FrozenDictionary<string, RegisteredWebClient> WebClients { get; }

    /// <summary>The secrets of every client, client-credentials-only and web, by client id.</summary>
    public FrozenDictionary<string, string> ClientSecrets { get; }

    public IReadOnlyList<DemoUser> Users { get; }

    public bool SignInAutomatically { get; }

    public bool RequirePushedAuthorizationRequests { get; }

    public TimeSpan AuthorizationCodeLifetime { get; }

    public TimeSpan RefreshTokenLifetime { get; }

    public TimeSpan IdTokenLifetime { get; }

    /// <summary>Copies and checks the options.</summary>
    /// <exception cref="ArgumentException">A setting is out of range; the message names it.</exception>
    public static DemoServerSettings From(DemoServerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ThrowIfNotPositive(options.NonceLifetime, nameof(DemoServerOptions.NonceLifetime), nameof(options));
        ThrowIfNotPositive(options.ProofLifetime, nameof(DemoServerOptions.ProofLifetime), nameof(options));
        ThrowIfNotPositive(options.AccessTokenLifetime, nameof(DemoServerOptions.AccessTokenLifetime), nameof(options));
        if (options.TimeProvider is null)
        {
            throw new ArgumentException("DemoServerOptions.TimeProvider must not be null.", nameof(options));
        }

        if (options.Port is < 0 or > 65535)
        {
            throw new ArgumentException("DemoServerOptions.Port must be between 0 and 65535.", nameof(options));
        }

        if (options.AllowedAlgorithms.Count == 0)
        {
            throw new ArgumentException("DemoServerOptions.AllowedAlgorithms must name at least one algorithm.", nameof(options));
        }

        foreach (var algorithm in options.AllowedAlgorithms)
        {
            if (algorithm is null || !AsymmetricAlgorithms.Contains(algorithm))
            {
                throw new ArgumentException(
                    $"DemoServerOptions.AllowedAlgorithms may only contain {string.Join(", ", AsymmetricAlgorithms.Order(StringComparer.Ordinal))}.",
                    nameof(options));
            }
        }

        foreach (var client in options.Clients)
        {
            if (string.IsNullOrEmpty(client.Key) || string.IsNullOrEmpty(client.Value))
            {
                throw new ArgumentException("DemoServerOptions.Clients must not contain empty client ids or secrets.", nameof(options));
            }
        }

        ThrowIfNotPositive(options.AuthorizationCodeLifetime, nameof(DemoServerOptions.AuthorizationCodeLifetime), nameof(options));
        ThrowIfNotPositive(options.RefreshTokenLifetime, nameof(DemoServerOptions.RefreshTokenLifetime), nameof(options));
        ThrowIfNotPositive(options.IdTokenLifetime, nameof(DemoServerOptions.IdTokenLifetime), nameof(options));
        ValidateWebClients(options);
        ValidateUsers(options);
        return new DemoServerSettings(options);
    }

    private static void ThrowIfNotPositive(TimeSpan value, string name, string paramName)
    {
        if (value <= TimeSpan.Zero)
        {
            throw new ArgumentException($"DemoServerOptions.{name} must be positive.", paramName);
        }
    }

    private static void ValidateWebClients(DemoServerOptions options)
    {
        var ids = new HashSet<string>(StringComparer.Ordinal);
        foreach (var client in options.WebClients)
        {
            if (client is null || string.IsNullOrEmpty(client.ClientId) || string.IsNullOrEmpty(client.ClientSecret))
            {
                throw new ArgumentException("DemoServerOptions.WebClients must not contain clients without a ClientId or a ClientSecret.", nameof(options));
            }

            if (!ids.Add(client.ClientId) || options.Clients.ContainsKey(client.ClientId))
            {
                throw new ArgumentException(
                    $"DemoServerOptions.WebClients: the client id '{client.ClientId}' is registered twice (WebClients and Clients share one namespace).",
                    nameof(options));
            }

            if (client.RedirectUris.Count == 0)
            {
                throw new ArgumentException($"DemoServerOptions.WebClients: client '{client.ClientId}' needs at least one RedirectUris entry.", nameof(options));
            }

            foreach (var uri in client.RedirectUris.Concat(client.PostLogoutRedirectUris))
            {
                if (!RegisteredWebClient.IsValidRegistration(uri))
                {
                    throw new ArgumentException(
                        $"DemoServerOptions.WebClients: client '{client.ClientId}' has a redirect URI that is not an absolute http(s) URI without fragment.",
                        nameof(options));
                }
            }
        }
    }

    private static void ValidateUsers(DemoServerOptions options)
    {
        if (options.Users.Count == 0)
        {
            throw new ArgumentException("DemoServerOptions.Users must name at least one user.", nameof(options));
        }

        var subjects = new HashSet<string>(StringComparer.Ordinal);
        foreach (var user in options.Users)
        {
            if (user is null || string.IsNullOrEmpty(user.Subject) || string.IsNullOrEmpty(user.Name) || !subjects.Add(user.Subject))
            {
                throw new ArgumentException("DemoServerOptions.Users must have unique, non-empty subjects and non-empty names.", nameof(options));
            }
        }
    }
}
