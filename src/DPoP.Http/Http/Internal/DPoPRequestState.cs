using System.Diagnostics;

namespace DPoP.Http.Internal;

/// <summary>What the DPoP handler knows about one request across its attempts: retries, renewal, redirect hops.</summary>
internal sealed class DPoPRequestState(DPoPKey key, Uri originalUri, string? token, bool tokenFromProvider, bool bodyPrepared)
{
    /// <summary>The key every proof of this request is signed with.</summary>
    public DPoPKey Key { get; } = key;

    /// <summary>The URI the caller asked for: the access token never leaves its origin.</summary>
    public Uri OriginalUri { get; } = originalUri;

    /// <summary>The bound access token, or null (none, or dropped on a cross-origin hop).</summary>
    public string? Token { get; set; } = token;

    /// <summary>Whether <see cref="Token"/> came from the client's <see cref="IDPoPAccessTokenProvider"/>, which may renew it.</summary>
    public bool TokenFromProvider { get; } = tokenFromProvider;

    /// <summary>Whether the token was renewed once already after an <c>invalid_token</c> challenge.</summary>
    public bool TokenRenewed { get; set; }

    /// <summary>The redirect hops followed so far.</summary>
    public int Redirects { get; set; }

    /// <summary>Whether the body can be resent whatever the first send did (see <see cref="DPoPRequestBody"/>).</summary>
    public bool BodyPrepared { get; set; } = bodyPrepared;

    /// <summary>The span of the redirect hop being sent, if tracing is on.</summary>
    public Activity? RedirectSpan { get; set; }

    /// <summary>Ends the span of the hop that produced <paramref name="response"/>, if any.</summary>
    public void EndRedirectSpan(HttpResponseMessage response)
    {
        DPoPActivities.StopWithResponse(RedirectSpan, response);
        RedirectSpan = null;
    }

    /// <summary>Ends the span of the hop that failed with <paramref name="exception"/>, if any; false, so an exception filter lets it pass.</summary>
    public bool EndRedirectSpan(Exception exception)
    {
        DPoPActivities.StopWithError(RedirectSpan, DPoPActivities.ErrorType(exception));
        RedirectSpan = null;
        return false;
    }

    /// <summary>Whether the request's body, as it stands now, can be sent again with the same bytes.</summary>
    public bool CanResendBody(HttpRequestMessage request) => DPoPRequestBody.CanResend(request.Content, BodyPrepared);
}
