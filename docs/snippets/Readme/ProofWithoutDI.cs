namespace DPoP.Http.Docs.Snippets.Readme;

/// <summary>The no-DI example of src/DPoP.Http/README.md (.ci/check-docs.cs keeps them equal).</summary>
public static class ProofWithoutDI
{
    public static HttpRequestMessage CreateRequest(string accessToken)
    {
        #region proof
        using var key = DPoPKey.Generate();           // ES256; save key.PrivateKeyPem if tokens must outlive the process
        var uri = new Uri("https://api.example.com/orders");
        var proof = DPoPProof.Create(key, HttpMethod.Get, uri, accessToken);

        var request = new HttpRequestMessage(HttpMethod.Get, uri);
        foreach (var (name, value) in DPoPHeaders.Build(proof, accessToken))   // DPoP: <proof>, Authorization: DPoP <token>
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }
        #endregion

        return request;
    }
}
