namespace DPoP.Http.Docs.Snippets.Core;

/// <summary>The core API without dependency injection: the proofs-without-DI page.</summary>
public static class ProofsWithoutDI
{
    public static void KeyBasics()
    {
        #region key
        using var key = DPoPKey.Generate();            // ES256; or DPoPKey.Generate(DPoPAlgorithms.PS256)
        string jkt = key.JwkThumbprint;                 // RFC 7638 thumbprint: dpop_jkt, and cnf.jkt of bound tokens
        IReadOnlyDictionary<string, string> jwk = key.PublicJwk; // the proof's jwk header: public members only
        string pem = key.PrivateKeyPem;                 // PKCS#8; a secret. Reload with DPoPKey.FromPem(pem)
        #endregion
        _ = (jkt, jwk, pem);
    }

    public static async Task<HttpResponseMessage> SendByHandAsync(HttpClient http, DPoPKey key, string accessToken, string? serverNonce)
    {
        #region proof-by-hand
        var uri = new Uri("https://api.example.com/orders?status=open");
        string proof = DPoPProof.Create(key, HttpMethod.Get, uri, accessToken, serverNonce); // token and nonce optional

        using var request = new HttpRequestMessage(HttpMethod.Get, uri);
        foreach (var (name, value) in DPoPHeaders.Build(proof, accessToken)) // DPoP: <proof>, Authorization: DPoP <token>
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        var response = await http.SendAsync(request);
        string? nextNonce = response.Headers.TryGetValues(DPoPHeaders.Nonce, out var nonces) ? nonces.First() : null;
        #endregion
        _ = nextNonce;
        return response;
    }

    public static void Ath(string accessToken)
    {
        #region ath
        string ath = DPoPProof.ComputeAth(accessToken); // base64url(SHA-256(token)): the proof's ath claim
        #endregion
        _ = ath;
    }

    public static async Task HandlerWithoutDIAsync(DPoPKey key, string accessToken)
    {
        #region handler-without-di
        var handler = new DPoPDelegatingHandler(
            key,
            new DPoPHandlerOptions { MaxRedirects = 5 },
            nonceStore: new DPoPNonceStore(capacity: 100, lifetime: TimeSpan.FromMinutes(5)))    // without DI, nonces are sized here
        {
            InnerHandler = new SocketsHttpHandler(),    // its automatic redirects are turned off before the first request
        };
        using var http = new HttpClient(handler) { BaseAddress = new Uri("https://api.example.com/") };

        using var request = new HttpRequestMessage(HttpMethod.Get, "orders").SetDPoPAccessToken(accessToken);
        using var response = await http.SendAsync(request); // a proof with ath, nonce challenges answered
        #endregion
    }

    public static Uri AuthorizationRequest(DPoPKey key)
    {
        #region dpop-jkt
        var authorize = new Uri("https://login.example.com/authorize?response_type=code&client_id=web&redirect_uri=https%3A%2F%2Fapp.example.com%2Fcb");
        Uri withJkt = DPoPAuthorizationRequests.AddDPoPJkt(authorize, key); // ...&dpop_jkt=<key.JwkThumbprint>
        #endregion
        return withJkt;
    }

    public static async Task<HttpResponseMessage> PushedAuthorizationRequestAsync(HttpClient http, DPoPKey key)
    {
        #region par
        using var content = DPoPAuthorizationRequests.CreatePushedAuthorizationContent(
            new Dictionary<string, string>
            {
                ["client_id"] = "web",
                ["response_type"] = "code",
                ["redirect_uri"] = "https://app.example.com/cb",
            },
            key);                                       // adds dpop_jkt to the form
        return await http.PostAsync(new Uri("https://login.example.com/par"), content);
        #endregion
    }
}
