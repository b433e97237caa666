/** The codes of the errors messaging/ raises, as API clients see them in `error`. */
export enum MessagingErrorCode {
  TemplateNotFound = 'TEMPLATE_NOT_FOUND',
  TwilioSignatureInvalid = 'TWILIO_SIGNATURE_INVALID',
}
