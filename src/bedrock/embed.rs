//! Embeddings through the client: the family's request bodies
//! ([`crate::embeddings`]) sent with InvokeModel, at most
//! [`DEFAULT_CONCURRENCY`] calls at once, vectors back in input order.

use super::client::{Client, IntoModelRef};
use super::error::BedrockError;
use crate::embeddings::{
    embed_with, EmbedError, EmbedOptions, Embeddings, Invoked, DEFAULT_CONCURRENCY, DEFAULT_MODEL,
};

impl From<EmbedError> for BedrockError {
    fn from(error: EmbedError) -> Self {
        BedrockError::Embed(error)
    }
}

impl Client {
    /// The model and options an embedding call uses: `model` and `options` as
    /// given, then the config's `embeddings` (its model and dimensions), then
    /// [`DEFAULT_MODEL`]: what `bedrock-lite embed` sends.
    pub fn embedding_defaults(
        &self,
        model: Option<String>,
        mut options: EmbedOptions,
    ) -> (String, EmbedOptions) {
        let configured = self.settings().config.embeddings.as_ref();
        let model = model
            .or_else(|| configured.map(|e| e.model.clone()))
            .unwrap_or_else(|| DEFAULT_MODEL.to_owned());
        if options.dimensions.is_none() {
            options.dimensions = configured.and_then(|e| e.dimensions);
        }
        (model, options)
    }

    /// Embeds `inputs` with `model` through InvokeModel: the request body of the
    /// model's family, at most [`DEFAULT_CONCURRENCY`] calls at once for
    /// single-text families, batches for Cohere; vectors in input order, and
    /// the calls' input tokens summed ([`Embeddings::input_tokens`]). A
    /// model or option the family does not take, or a malformed answer, is
    /// [`BedrockError::Embed`].
    ///
    /// ```no_run
    /// # async fn demo(client: bedrock_lite::Client) -> Result<(), bedrock_lite::BedrockError> {
    /// use bedrock_lite::embeddings::EmbedOptions;
    /// let options = EmbedOptions { dimensions: Some(256), ..Default::default() };
    /// let out = client.embed("amazon.titan-embed-text-v2:0", &["hello".into()], &options).await?;
    /// assert_eq!(out.embeddings[0].len(), 256);
    /// # Ok(()) }
    /// ```
    pub async fn embed(
        &self,
        model: &str,
        inputs: &[String],
        options: &EmbedOptions,
    ) -> Result<Embeddings, BedrockError> {
        embed_with(
            model,
            inputs,
            options,
            DEFAULT_CONCURRENCY,
            |body| async move {
                let model = model.into_model_ref()?;
                let (body, input_tokens) = self.invoke_response(&model, &body).await?;
                Ok(Invoked { body, input_tokens })
            },
        )
        .await
    }
}
