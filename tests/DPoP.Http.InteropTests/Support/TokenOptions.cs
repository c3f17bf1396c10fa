namespace DPoP.Http.InteropTests.Support;

/// <summary>The library's token client options for a client registered at the authorization server.</summary>
internal static class TokenOptions
{
    public static DPoPTokenClientOptions For(OAuthClient client, string resource)
    {
        var options = new DPoPTokenClientOptions();
        Configure(options, client, resource);
        return options;
    }

    /// <summary>Fills <paramref name="options"/> (for <c>AddDPoPClientCredentialsToken(o =&gt; …)</c>).</summary>
    public static void Configure(DPoPTokenClientOptions options, OAuthClient client, string resource)
    {
        options.TokenEndpoint = InteropServers.AuthorizationServer.TokenEndpoint;
        options.ClientId = client.Id;
        options.Scope = InteropServers.AuthorizationServer.Scope;
        options.Resources.Add(resource);
        switch (client.AuthMethod)
        {
            case "client_secret_basic":
                options.ClientAuthentication = DPoPClientAuthenticationMethod.ClientSecretBasic;
                options.ClientSecret = client.Secret;
                break;
            case "client_secret_post":
                options.ClientAuthentication = DPoPClientAuthenticationMethod.ClientSecretPost;
                options.ClientSecret = client.Secret;
                break;
            case "private_key_jwt":
                options.ClientAuthentication = DPoPClientAuthenticationMethod.PrivateKeyJwt;
                options.ClientAssertionKey = client.PrivateJwk;
                break;
            default:
                throw new ArgumentException($"Unknown client authentication method {client.AuthMethod}.", nameof(client));
        }
    }
}
