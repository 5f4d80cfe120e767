using QRCoder;

namespace IdentityHost.IdentityServer.Mfa;

/// <summary>QR codes drawn on the server, as SVG, so the enrolment page needs no script.</summary>
public static class QrCodes
{
    /// <summary><paramref name="text"/> as a QR code, an SVG <c>data:</c> URI for an <c>img</c> (the CSP allows <c>data:</c> images).</summary>
    public static string SvgDataUri(string text)
    {
        using var generator = new QRCodeGenerator();
        using var data = generator.CreateQrCode(text, QRCodeGenerator.ECCLevel.M);
        using var svg = new SvgQRCode(data);
        var markup = svg.GetGraphic(6);
        return "data:image/svg+xml;base64," + Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(markup));
    }
}
